"""Staff make one-time voting codes in bulk and download them once, as CSV or printable PDF."""

import csv
import io
import json
import re
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from committees.models import AuditEntry, CommitteeRole
from tests import factories
from voting import keys
from voting.codes import services as codes_services
from voting.codes.letters import codes_csv, codes_pdf
from voting.models import VotingCode, VotingConfig

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(home_page):
    return factories.committee("Østerbro Lokaludvalg")


@pytest.fixture
def voting_round(committee):
    budget_round = factories.voting_round(
        committee=committee, title="Grønne gårde (2025)", projects=(("Bænke", 60_000),)
    )
    # Codes that belong to nobody in particular: only in a round voted with codes alone.
    VotingConfig.objects.filter(budget_round=budget_round).update(
        allow_online=False, allow_paper=False
    )
    return budget_round


@pytest.fixture
def url(voting_round):
    return reverse("voting:staff_codes", args=[voting_round.pk])


@pytest.fixture
def staff(committee):
    return factories.polling_staff(committee=committee)


def _person(kind: str, committee):
    if kind == "anonymous":
        return None
    if kind == "site admin":
        return factories.user(is_superuser=True, is_staff=True)
    roles = {
        "polling staff": (committee, CommitteeRole.Role.POLLING_STAFF),
        "moderator": (committee, CommitteeRole.Role.MODERATOR),
        "reviewer": (committee, CommitteeRole.Role.REVIEWER),
        "moderator elsewhere": (factories.committee(), CommitteeRole.Role.MODERATOR),
        "polling staff elsewhere": (factories.committee(), CommitteeRole.Role.POLLING_STAFF),
    }
    if kind in roles:
        where, role = roles[kind]
        return factories.staff(committee=where, role=role)
    return factories.user()


def _post(client, url, **fields):
    data = {"count": "3", "batch": "Breve, Nørrebro", "file_format": "csv", **fields}
    return client.post(url, {k: v for k, v in data.items() if v is not None})


def _csv_rows(response) -> list[list[str]]:
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 by the byte order mark
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- A minimal PDF reader: enough to check structure, offsets and shown text -----------------


def _unescape(literal: bytes) -> str:
    out, i = bytearray(), 0
    while i < len(literal):
        byte = literal[i]
        if byte == 0x5C:  # backslash
            nxt = literal[i + 1 : i + 2]
            if nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4]).group()
                out.append(int(digits, 8))
                i += 1 + len(digits)
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(nxt, nxt)
            i += 2
            continue
        out.append(byte)
        i += 1
    return out.decode("cp1252")


def _stream(obj: bytes) -> bytes:
    length = int(re.search(rb"/Length (\d+)", obj).group(1))
    stream = obj.split(b"stream\n", 1)[1]
    assert stream[length:] == b"\nendstream"  # /Length is exact
    return stream[:length]


def _shown(content: bytes) -> list[str]:
    return [_unescape(s) for s in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content)]


def _read_pdf(data: bytes) -> dict:
    assert data.startswith(b"%PDF-1.4\n")
    assert data.endswith(b"%%EOF\n")
    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))
    assert data[startxref:].startswith(b"xref\n")
    header = re.match(rb"xref\n0 (\d+)\n", data[startxref:])
    size = int(header.group(1))
    table = data[startxref + header.end() :]
    entries = [table[i * 20 : (i + 1) * 20] for i in range(size)]
    assert entries[0] == b"0000000000 65535 f \n"
    objects = {}
    for number, entry in enumerate(entries[1:], start=1):
        assert re.fullmatch(rb"\d{10} 00000 n \n", entry), entry
        offset = int(entry[:10])
        assert data[offset:].startswith(b"%d 0 obj\n" % number), number
        body = data[offset : data.index(b"\nendobj\n", offset)]
        objects[number] = body.split(b"\n", 1)[1]
    trailer = table[size * 20 :]
    assert trailer.startswith(b"trailer\n")
    assert b"/Size %d" % size in trailer
    root = int(re.search(rb"/Root (\d+) 0 R", trailer).group(1))
    pages_ref = int(re.search(rb"/Pages (\d+) 0 R", objects[root]).group(1))
    pages = objects[pages_ref]
    kids = [int(k) for k in re.findall(rb"(\d+) 0 R", pages.split(b"/Kids", 1)[1])]
    assert b"/Count %d" % len(kids) in pages
    texts = []
    for kid in kids:
        page = objects[kid]
        assert b"/Type /Page " in page and b"/MediaBox [0 0 595 842]" in page
        stream = _stream(objects[int(re.search(rb"/Contents (\d+) 0 R", page).group(1))])
        forms = dict(re.findall(rb"/(\w+) (\d+) 0 R", page.split(b"/XObject", 1)[1]))
        shown = []
        for line in stream.splitlines():
            if line.endswith(b" Do"):  # a shared form XObject: its text is on this page too
                form = objects[int(forms[line.split()[0][1:]])]
                assert b"/Subtype /Form" in form
                shown += _shown(_stream(form))
            shown += _shown(line)
        texts.append(shown)
    for font in re.findall(rb"/BaseFont /(\S+)", b"".join(objects.values())):
        assert font in (b"Helvetica", b"Helvetica-Bold", b"Courier-Bold")
    assert b"/Encoding /WinAnsiEncoding" in b"".join(objects.values())
    return {"pages": texts}


# --- Who may ---------------------------------------------------------------------------------

ALLOWED = {"polling staff", "moderator", "site admin"}


@pytest.mark.parametrize(
    "kind",
    [
        "anonymous",
        "resident",
        "reviewer",
        "polling staff",
        "moderator",
        "moderator elsewhere",
        "polling staff elsewhere",
        "site admin",
    ],
)
def test_only_polling_staff_moderators_and_admins_may_make_codes(
    client, committee, voting_round, url, kind
):
    person = _person(kind, committee)
    if person:
        client.force_login(person)
    page = client.get(url)
    made = _post(client, url)
    if kind == "anonymous":
        assert page.status_code == HTTPStatus.FOUND
        assert page["Location"].startswith(reverse("account_login"))
        assert made.status_code == HTTPStatus.FOUND
    elif kind in ALLOWED:
        assert page.status_code == HTTPStatus.OK
        assert made.status_code == HTTPStatus.OK
        assert made["Content-Disposition"].startswith("attachment")
    else:
        assert page.status_code == HTTPStatus.FORBIDDEN
        assert made.status_code == HTTPStatus.FORBIDDEN
    expected = 3 if kind in ALLOWED else 0
    assert VotingCode.objects.filter(budget_round=voting_round).count() == expected


def test_unknown_round_is_not_found(client, staff):
    client.force_login(staff)
    response = client.get(reverse("voting:staff_codes", args=[999_999]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_form_needs_the_csrf_token(committee, voting_round, url, staff):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    page = browser.get(url)
    assert _post(browser, url).status_code == HTTPStatus.FORBIDDEN
    assert not VotingCode.objects.exists()
    token = page.context["csrf_token"]
    response = _post(browser, url, csrfmiddlewaretoken=str(token))
    assert response.status_code == HTTPStatus.OK
    assert VotingCode.objects.count() == 3


def test_page_says_the_codes_can_be_downloaded_only_once(client, staff, url):
    client.force_login(staff)
    html = client.get("/en" + url).content.decode()
    assert "The codes can only be downloaded once" in html
    assert 'name="count"' in html and 'name="batch"' in html
    assert 'class="form-radio"' in html and 'value="pdf"' in html and 'value="csv"' in html
    assert "No codes have been made for this round yet." in html


# --- The files ------------------------------------------------------------------------------


def test_csv_has_distinct_codes_each_usable_once_and_never_stored(client, staff, voting_round, url):
    client.force_login(staff)
    response = _post(client, url, count="25", batch="Breve, Nørrebro")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename")
    assert ".csv" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    header, *rows = _csv_rows(response)
    assert len(header) == 4
    assert len(rows) == 25
    codes = [row[0] for row in rows]
    assert len(set(codes)) == 25
    assert all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code) for code in codes)
    path = reverse("voting:ballot_code", args=[voting_round.pk])
    vote_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
    assert {(row[1], row[2], row[3]) for row in rows} == {
        ("Breve, Nørrebro", "Grønne gårde (2025)", vote_url)
    }

    # Nothing in the database holds a code, in any spelling.
    stored = json.dumps(list(VotingCode.objects.values()), default=str)
    for code in codes:
        for spelling in (code, keys.normalise_code(code), code.lower()):
            assert spelling not in stored
    assert VotingCode.objects.filter(batch="Breve, Nørrebro").count() == 25

    # Every code is accepted; a used one is not accepted again.
    for number, code in enumerate(codes):
        found = codes_services.code_redeem(
            budget_round=voting_round, code=code, client=f"c{number}"
        )
        assert not found.used
    proposal = str(voting_round.proposals.get().pk)
    ballot = codes_services.ballot_cast_with_code(
        budget_round=voting_round, code=codes[0], selection={proposal: 1}, client="a"
    )
    assert ballot.channel == "code"
    with pytest.raises(ValidationError):
        codes_services.code_redeem(budget_round=voting_round, code=codes[0], client="b")
    codes_services.code_redeem(budget_round=voting_round, code=codes[1], client="b")


def test_pdf_is_a_valid_letter_per_code_showing_the_code(client, committee, staff, url):
    client.force_login(staff)
    response = _post(client, url, count="4", file_format="pdf", batch="Borgermøde")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename")
    assert ".pdf" in response["Content-Disposition"]
    pdf = _read_pdf(response.content)
    assert len(pdf["pages"]) == 4
    codes = set()
    for texts in pdf["pages"]:
        shown = [t for t in texts if re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", t)]
        assert len(shown) == 1
        codes.add(shown[0])
        assert "Østerbro Lokaludvalg" in texts
        assert "Grønne gårde (2025)" in texts
    assert len(codes) == 4
    for code in codes:
        assert code.encode() in response.content  # plain text in an uncompressed stream
    stored = json.dumps(list(VotingCode.objects.values()), default=str)
    assert not any(keys.normalise_code(code) in stored for code in codes)


def test_codes_pdf_escapes_and_encodes_danish_text():
    codes = ["ABCD-EFGH-JKLM", "NPQR-STUV-WXYZ"]
    data = codes_pdf(
        codes,
        round_title=r"Bænke (og borde) \ æøå ÆØÅ",
        committee="Amager Øst Lokaludvalg",
        batch="Hånd)ud(",
        vote_url="https://borgerbudget.example.dk/afstemning/runde/7/kode/",
    )
    pages = _read_pdf(data)["pages"]
    assert len(pages) == 2
    for code, texts in zip(codes, pages, strict=True):
        assert code in texts
        assert r"Bænke (og borde) \ æøå ÆØÅ" in texts
        assert "Amager Øst Lokaludvalg" in texts
        assert any("https://borgerbudget.example.dk/afstemning/runde/7/kode/" in t for t in texts)
        assert any("Hånd)ud(" in t for t in texts)
    assert b"\\(og borde\\) \\\\ " in data  # parentheses and backslash escaped
    assert "æ".encode("cp1252") not in data  # non-ASCII bytes written as octal escapes
    assert b"\\346" in data  # æ in WinAnsiEncoding


def test_codes_csv_header_and_no_spreadsheet_formulas():
    data = codes_csv(
        ["ABCD-EFGH-JKLM"], round_title="=HYPERLINK(1)", batch="+Breve", vote_url="https://x.dk/"
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert data.startswith(b"\xef\xbb\xbf")
    assert len(rows) == 2 and len(rows[0]) == 4
    assert rows[1] == ["ABCD-EFGH-JKLM", "'+Breve", "'=HYPERLINK(1)", "https://x.dk/"]


# --- Wrong input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"count": "0"}, "count"),
        ({"count": "10001"}, "count"),
        ({"count": "ti"}, "count"),
        ({"count": "2.5"}, "count"),
        ({"count": None}, "count"),
        ({"batch": None}, "batch"),
        ({"batch": "   "}, "batch"),
        ({"batch": "x" * 101}, "batch"),
        ({"file_format": "docx"}, "file_format"),
        ({"file_format": None}, "file_format"),
    ],
)
def test_wrong_input_makes_no_codes_and_says_why(client, staff, url, fields, field):
    client.force_login(staff)
    response = _post(client, "/en" + url, **fields)
    assert response.status_code == HTTPStatus.OK
    assert "Content-Disposition" not in response
    assert response.context["form"].errors.keys() == {field}
    html = response.content.decode()
    assert "No codes were made" in html
    assert f'id="id_{field}_error"' in html or 'class="form-error-message"' in html
    assert not VotingCode.objects.exists()
    assert not AuditEntry.objects.filter(action="voting.codes_generate").exists()


def test_count_limits_are_explained(client, staff, url):
    client.force_login(staff)
    html = _post(client, "/en" + url, count="10001").content.decode()
    assert "Make at most 10,000 codes at a time." in html
    html = _post(client, "/en" + url, count="0").content.decode()
    assert "Make at least 1 code." in html
    html = _post(client, "/en" + url, batch="").content.decode()
    assert "Give the batch a label." in html


def test_largest_batch_is_allowed(client, staff, url):
    client.force_login(staff)
    response = _post(client, url, count="10000", batch="Alle husstande")
    assert response.status_code == HTTPStatus.OK
    assert len(_csv_rows(response)) == 10_001
    assert VotingCode.objects.count() == 10_000


def test_script_in_batch_label_is_escaped(client, staff, url):
    client.force_login(staff)
    label = "<script>alert(1)</script>"
    again = _post(client, url, count="0", batch=label).content.decode()
    assert label not in again and "&lt;script&gt;alert(1)&lt;/script&gt;" in again
    assert _post(client, url, batch=label).status_code == HTTPStatus.OK
    html = client.get(url).content.decode()
    assert label not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- Record and overview --------------------------------------------------------------------


def test_generation_is_audited_without_the_codes(client, committee, staff, voting_round, url):
    client.force_login(staff)
    response = _post(client, url, count="5", batch="Borgermøde")
    codes = [row[0] for row in _csv_rows(response)[1:]]
    entry = AuditEntry.objects.get(action="voting.codes_generate")
    assert entry.actor == staff
    assert entry.committee_id == committee.pk
    assert (entry.object_type, entry.object_id) == ("committees.budgetround", str(voting_round.pk))
    assert entry.data == {"count": 5, "batch": "Borgermøde"}
    everything = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert not any(keys.normalise_code(c) in everything or c in everything for c in codes)


def test_batches_show_unused_used_and_locked(client, staff, voting_round, url):
    client.force_login(staff)
    codes_services.codes_generate(budget_round=voting_round, count=4, batch="Breve")
    codes_services.codes_generate(budget_round=voting_round, count=2, batch="Borgermøde")
    first, second, *_rest = VotingCode.objects.filter(batch="Breve")
    VotingCode.objects.filter(pk=first.pk).update(used=True)
    VotingCode.objects.filter(pk=second.pk).update(misses=VotingCode.MAX_MISSES)
    response = client.get(url)
    batches = {b["batch"]: b for b in response.context["batches"]}
    assert batches["Breve"] | {"made_on": None} == {
        "batch": "Breve",
        "total": 4,
        "unused": 2,
        "used": 1,
        "locked": 1,
        "made_on": None,
    }
    assert (batches["Borgermøde"]["unused"], batches["Borgermøde"]["used"]) == (2, 0)
    assert "Borgermøde" in response.content.decode()


def test_no_codes_are_kept_when_the_file_cannot_be_made(client, staff, url, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr("voting.codes.letters.codes_pdf", broken)
    client.force_login(staff)
    with pytest.raises(RuntimeError):
        _post(client, url, file_format="pdf")
    assert not VotingCode.objects.exists()
    assert not AuditEntry.objects.filter(action="voting.codes_generate").exists()
