"""Residents' text against the attacks of issue 16: markup smuggled past the cleaner, text that
changes when it is saved unchanged, text too long to clean in time, e-mail addresses shown as
names, and control characters that break the exports. The cleaner itself is tested in
tests/proposals/test_richtext.py."""

import csv
import io
from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from proposals import services
from proposals.models import GrantApplication, Proposal
from tests import factories
from tests.security.bad_input import problems

SMUGGLED = (
    "<p>Hej<![CDATA[</p><script>alert(1)</script>]]></p>"
    '<![CDATA[<meta http-equiv="refresh" content="0;url=https://evil.example">]]>'
    "<svg><style><img src=x onerror=alert(2)></style></svg>"
)


def _no_smuggled_markup(html: str) -> None:
    assert "<script>alert(1)" not in html
    assert 'http-equiv="refresh"' not in html
    assert "onerror=alert(2)" not in html and "<img src=x" not in html
    assert "CDATA" not in html


@pytest.fixture
def smuggled(ideas_round):
    """A public proposal whose stored description holds what the old cleaner let through."""
    proposal = factories.proposal(budget_round=ideas_round, state="submitted")
    Proposal.objects.filter(pk=proposal.pk).update(description=SMUGGLED)
    return proposal


def test_a_description_is_cleaned_again_on_the_public_page(client, smuggled):
    response = client.get(reverse("proposals:detail", args=[smuggled.pk]))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    _no_smuggled_markup(html)
    # What a browser makes of it too: the CDATA openers are bogus comments up to the first ">".
    assert '<div class="proposal-description"><p>Hejalert(1)]]&gt;</p>]]&gt;</div>' in html


def test_a_description_is_cleaned_again_in_the_moderators_review(client, committee, smuggled):
    client.force_login(factories.moderator(committee=committee))
    response = client.get(reverse("proposal_review", args=[smuggled.pk]))
    assert response.status_code == HTTPStatus.OK
    _no_smuggled_markup(response.content.decode())


def test_a_description_is_cleaned_again_in_the_api(client, smuggled):
    response = client.get(f"/api/v1/proposals/{smuggled.pk}/")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["description"] == "<p>Hejalert(1)]]&gt;</p>]]&gt;"


# --- Names: never any part of an e-mail address ----------------------------------------------


def test_a_resident_without_a_display_name_appears_as_a_resident(
    client, ideas_round, django_capture_on_commit_callbacks
):
    author = factories.user(email="karen.hansen@example.dk", display_name="")
    with django_capture_on_commit_callbacks(execute=True):
        proposal = factories.proposal(budget_round=ideas_round, author=author, state="draft")
        proposal = services.proposal_submit(author=author, proposal=proposal)
        services.comment_add(author=author, proposal=proposal, body="Godt forslag.")
    assert str(author) == author.get_full_name() == author.get_short_name() == "en borger"
    html = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "karen" not in html.lower() and "example.dk" not in html
    assert html.count("en borger") >= 2  # as the author and beside the comment
    (receipt,) = mail.outbox
    assert receipt.body.startswith("Kære borger,")
    assert "karen" not in receipt.body.lower()
    client.force_login(author)
    html = client.get(reverse("my_borgerbudget")).content.decode()
    assert "karen" not in html.lower()


def test_a_display_name_is_shown_as_written(ideas_round):
    author = factories.user(email="karen.hansen@example.dk", display_name="Karen fra 3. sal")
    assert str(author) == author.get_short_name() == "Karen fra 3. sal"


# --- Saving unchanged changes nothing ---------------------------------------------------------


class _FormReader(HTMLParser):
    """What a browser would send back for the first POST form that has `field`, untouched."""

    def __init__(self, field: str):
        super().__init__(convert_charrefs=True)
        self.field, self.forms, self.current = field, [], None
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.current = []
            self.forms.append(self.current)
        if self.current is None:
            return
        if tag == "option" and self.select and "selected" in a:
            self.current.append((self.select, a.get("value", "")))
        if not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            self.current.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self.textarea = [name, ""]
        elif tag == "select":
            self.select = name

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            # A browser drops the one newline right after <textarea>.
            self.current.append((name, value[1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.current = None

    def data(self) -> dict[str, list[str]]:
        for form in self.forms:
            if any(name == self.field for name, _value in form):
                values: dict[str, list[str]] = {}
                for name, value in form:
                    values.setdefault(name, []).append(value)
                return values
        raise AssertionError(f"no form with {self.field!r}")


def _post_back_unchanged(client, url: str, *, field: str, button: str) -> None:
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    reader = _FormReader(field)
    reader.feed(page.content.decode())
    response = client.post(url, {**reader.data(), button: "1"})
    assert response.status_code == HTTPStatus.FOUND, problems(response.content.decode())


TRICKY = {
    "title": 'Bænke & borde <script>alert("x")</script> "her"',
    "summary": "1 < 2 & 3 > 2, &amp; ' \" og <b>ikke fed</b>",
    "location_text": "Øster Allé 1 <i>ved &lt;hjørnet&gt;</i>",
}


def _text_of(proposal: Proposal) -> dict:
    proposal.refresh_from_db()
    return {f: getattr(proposal, f) for f in (*TRICKY, "description", "organisation_name")}


@pytest.mark.parametrize(
    "description",
    [
        "1 < 2 & 3 > 2\n\nNyt afsnit med &amp; og &lt;",
        "<p>Hej <b>du</b> &amp; <a href='https://kk.dk/?a=1&b=2'>link</a></p><ul><li>a</li></ul>",
        "<p>a<![CDATA[</p><script>alert(1)</script>]]></p>",
    ],
    ids=["plain", "formatted", "smuggled"],
)
def test_saving_a_proposal_unchanged_changes_nothing(client, ideas_round, description):
    author = factories.user()
    client.force_login(author)
    data = factories.proposal_form_data(
        ideas_round, description=description, submitter_kind="association",
        organisation_name="Foreningen <Fælleshuset> & co", contact_person="Ida", **TRICKY,
    )  # fmt: skip
    response = client.post(reverse("proposals:create", args=[ideas_round.pk]), data)
    assert response.status_code == HTTPStatus.FOUND
    proposal = Proposal.objects.get()
    first = _text_of(proposal)
    assert first["title"] == TRICKY["title"]  # kept as typed, escaped on output
    edit = reverse("proposals:edit", args=[proposal.pk])
    for _save in range(3):
        _post_back_unchanged(client, edit, field="description", button="save")
        assert _text_of(proposal) == first


def test_saving_a_submitted_proposal_unchanged_changes_nothing(client, ideas_round):
    author = factories.user()
    client.force_login(author)
    data = factories.proposal_form_data(ideas_round, description="a < b &amp; c", **TRICKY)
    client.post(reverse("proposals:create", args=[ideas_round.pk]), {**data, "submit": "1"})
    proposal = Proposal.objects.get()
    assert proposal.state == "submitted"
    first = _text_of(proposal)
    for _save in range(2):
        _post_back_unchanged(
            client, reverse("proposals:edit", args=[proposal.pk]), field="title",
            button="save_submitted",
        )  # fmt: skip
        assert _text_of(proposal) == first


def test_saving_a_grant_application_unchanged_changes_nothing(client, committee):
    pool = factories.grant_pool(committee=committee, pot=100_000)
    client.force_login(factories.user())
    typed = {
        **TRICKY,
        "description": "Musik & mad < kl. 22\n\nAfsnit to: &amp; bliver &amp;",
        "advertising": "Opslag & <b>plakater</b>\nlinje to",
        "volunteers": 'Naboer < 10 & "flere"',
        "applicant_name": "Foreningen <Fælleshuset> & co",
        "contact_name": "Mette & Ole",
    }
    data = {**factories.grant_form_data(pool, **typed)}
    data.pop("submit")
    response = client.post(reverse("proposals:grant_create", args=[pool.pk]), data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    application = GrantApplication.objects.get()

    def text():
        application.refresh_from_db()
        application.proposal.refresh_from_db()
        return {
            **_text_of(application.proposal),
            **{f: getattr(application, f) for f in ("advertising", "volunteers",
                                                   "applicant_name", "contact_name")},
            "lines": sorted((li.kind, li.text, li.amount) for li in application.lines.all()),
        }  # fmt: skip

    first = text()
    assert first["description"] == (
        "<p>Musik &amp; mad &lt; kl. 22</p><p>Afsnit to: &amp;amp; bliver &amp;amp;</p>"
    )
    edit = reverse("proposals:grant_edit", args=[application.pk])
    for _save in range(3):
        _post_back_unchanged(client, edit, field="description", button="save")
        assert text() == first
    page = client.get(edit).content.decode()
    assert "&amp;amp;amp;" not in page


# --- Lengths: refused before anything is cleaned, and never inside the write lock -------------


def test_an_overlong_description_is_refused_with_a_clear_message(client, ideas_round):
    client.force_login(factories.user())
    data = factories.proposal_form_data(ideas_round, description="x" * 10_001)
    response = client.post(reverse("proposals:create", args=[ideas_round.pk]), data)
    assert response.status_code == HTTPStatus.OK
    assert not Proposal.objects.exists()
    html = response.content.decode()
    assert 'id="id_description" aria-invalid="true"' in html or (
        'aria-invalid="true"' in html and "10000" in html.replace(".", "")
    )


def test_the_service_refuses_an_overlong_description_before_cleaning_it(ideas_round, monkeypatch):
    import proposals.services as proposal_services

    def never(_text):  # pragma: no cover - reaching it is the failure
        raise AssertionError("an overlong description was cleaned")

    monkeypatch.setattr(proposal_services, "clean_description", never)
    with pytest.raises(ValidationError) as refused:
        proposal_services.proposal_draft_save(
            author=factories.user(),
            budget_round=ideas_round,
            data=factories.proposal_form_data(ideas_round, description="<b>x</b>" * 2_000),
        )
    assert "description" in refused.value.message_dict


# --- Control characters -----------------------------------------------------------------------


def test_control_characters_are_removed_when_typed(client, ideas_round):
    client.force_login(factories.user())
    data = factories.proposal_form_data(
        ideas_round, title="Bænke\x1b[31m i\tgården\x07", summary="linje\x0bto\r\ntre",
        description="a\x1bb\r\n\r\nc\x00",
    )  # fmt: skip
    data["description"] = data["description"].replace("\x00", "")  # Django refuses NUL itself
    response = client.post(reverse("proposals:create", args=[ideas_round.pk]), data)
    assert response.status_code == HTTPStatus.FOUND
    proposal = Proposal.objects.get()
    assert proposal.title == "Bænke[31m i gården"
    assert proposal.summary == "linjeto\ntre"
    assert proposal.description == "<p>ab</p><p>c</p>"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_control_character_in_a_stored_title_never_breaks_an_export(client, committee, fmt):
    budget_round = factories.budget_round(committee=committee, phase="review")
    proposal = factories.proposal(budget_round=budget_round, state="submitted")
    # An escape, a C1 control and a form feed (NUL cannot even be stored in PostgreSQL).
    Proposal.objects.filter(pk=proposal.pk).update(title="Bænke\x1b og\x9b borde\x0c")
    client.force_login(factories.moderator(committee=committee))
    response = client.get(reverse("voting:round_export", args=[budget_round.pk, "proposals", fmt]))
    assert response.status_code == HTTPStatus.OK
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    else:
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        titles = [row[1] for row in rows[1:]]
    assert titles == ["Bænke og borde"]


@pytest.mark.django_db(transaction=True)
def test_a_huge_description_never_holds_the_write_lock_while_a_ballot_is_cast(home_page):
    """On SQLite a transaction takes the write lock when it opens (IMMEDIATE): anything slow
    inside it makes every concurrent ballot wait, and fail after the 20 s timeout."""
    import datetime
    import threading
    import time

    from django.db import connection
    from django.test import Client

    from voting import services as voting_services
    from voting.models import VotingConfig

    committee = factories.committee("Østerbro Lokaludvalg")
    ideas = factories.ideas_round(committee=committee)
    voting = factories.budget_round(
        committee=committee, phase="voting", pot=100_000, max_cost=100_000, ballot_style="approval"
    )
    feasible = factories.proposal(budget_round=voting, state="feasible")
    VotingConfig.objects.update_or_create(budget_round=voting, defaults={"allow_change": True})
    voter = factories.verified_voter(area=committee.district, birth_date=datetime.date(1990, 2, 2))
    author = factories.user()
    huge = "<p>" + "<b>Bænk</b> &amp; <i>bord</i> " * 100_000 + "</p>"  # 3 MB of markup
    outcome = {}

    def post_huge():
        try:
            browser = Client()
            browser.force_login(author)
            response = browser.post(
                reverse("proposals:create", args=[ideas.pk]),
                factories.proposal_form_data(ideas, description=huge),
            )
            outcome["status"] = response.status_code
        finally:
            connection.close()

    thread = threading.Thread(target=post_huge)
    thread.start()
    # Ballots keep coming while the huge description is read, checked (and, before, cleaned
    # inside the transaction): each must go through at once.
    waits, errors = [], []
    while thread.is_alive():
        started = time.monotonic()
        try:
            voting_services.ballot_cast_online(
                user=voter, budget_round=voting, selection={str(feasible.pk): 1}
            )
        except Exception as exc:  # "database is locked" is the failure this test is about
            errors.append(repr(exc))
        waits.append(time.monotonic() - started)
        time.sleep(0.2)
    thread.join(300)
    assert errors == []
    assert waits and max(waits) < 5, waits
    assert outcome["status"] == HTTPStatus.OK, waits  # refused with the form's message
    assert not Proposal.objects.filter(budget_round=ideas).exists()


# --- Bidirectional overrides ------------------------------------------------------------------


def test_a_right_to_left_override_cannot_turn_a_title_around(client, ideas_round):
    """ "Trojan source" in a title: U+202E reverses what follows it on the line, in lists, mails
    and spreadsheets alike. The explicit overrides, embeddings and isolates are removed; Arabic
    and Hebrew text, and the implicit marks writers use, stay as typed."""
    client.force_login(factories.user())
    data = factories.proposal_form_data(
        ideas_round,
        title="Bænke \u202e00.5 kr\u202c og \u2067borde\u2069 \u05e1\u05e4\u05e1\u05dc\u200f",
        summary="\u0645\u0642\u0627\u0639\u062f \u202bfor\u202a alle\u202d",
    )
    response = client.post(reverse("proposals:create", args=[ideas_round.pk]), data)
    assert response.status_code == HTTPStatus.FOUND
    proposal = Proposal.objects.get()
    assert proposal.title == "Bænke 00.5 kr og borde \u05e1\u05e4\u05e1\u05dc\u200f"
    assert proposal.summary == "\u0645\u0642\u0627\u0639\u062f for alle"


def test_a_bidi_override_stored_before_the_rule_never_reaches_an_export(client, committee):
    budget_round = factories.budget_round(committee=committee, phase="review")
    proposal = factories.proposal(budget_round=budget_round, state="submitted")
    Proposal.objects.filter(pk=proposal.pk).update(title="Bænke \u202eog borde")
    client.force_login(factories.moderator(committee=committee))
    response = client.get(
        reverse("voting:round_export", args=[budget_round.pk, "proposals", "csv"])
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["Bænke og borde"]


# --- Round trips of the remaining forms: Wagtail's proposal form, the user form, budget lines -


def test_saving_a_proposal_unchanged_in_the_admin_changes_nothing(client, ideas_round):
    proposal = factories.proposal(budget_round=ideas_round, state="submitted")
    Proposal.objects.filter(pk=proposal.pk).update(title=TRICKY["title"], summary=TRICKY["summary"])
    client.force_login(factories.moderator(committee=ideas_round.committee))
    first = _text_of(proposal)
    edit = reverse("proposal:edit", args=[proposal.pk])
    for _save in range(3):
        _post_back_unchanged(client, edit, field="summary", button="save")
        assert _text_of(proposal) == first
    assert first["title"] == TRICKY["title"]


def test_saving_a_user_unchanged_in_the_admin_keeps_the_display_name(client, db):
    resident = factories.user(display_name='Karen <b>"fra 3. sal"</b> & co')
    client.force_login(factories.user(is_superuser=True, is_staff=True))
    edit = reverse("wagtailusers_users:edit", args=[resident.pk])
    for _save in range(2):
        _post_back_unchanged(client, edit, field="display_name", button="save")
        resident.refresh_from_db()
        assert resident.display_name == 'Karen <b>"fra 3. sal"</b> & co'
    assert (
        "Karen &lt;b&gt;&quot;fra 3. sal&quot;&lt;/b&gt; &amp; co"
        in client.get(edit).content.decode()
    )


def test_a_display_name_loses_its_control_and_override_characters_when_typed(client, db):
    resident = factories.user(display_name="Karen")
    client.force_login(factories.user(is_superuser=True, is_staff=True))
    edit = reverse("wagtailusers_users:edit", args=[resident.pk])
    page = client.get(edit)
    reader = _FormReader("display_name")
    reader.feed(page.content.decode())
    data = {**reader.data(), "display_name": "Karen\x1b \u202efra 3. sal"}
    response = client.post(edit, data)
    assert response.status_code == HTTPStatus.FOUND, problems(response.content.decode())
    resident.refresh_from_db()
    assert resident.display_name == "Karen fra 3. sal"


def test_saving_a_grant_application_unchanged_keeps_its_budget_lines(client, committee):
    pool = factories.grant_pool(committee=committee, pot=100_000)
    client.force_login(factories.user())
    lines = {
        "budget-0-text": 'Scene & lys <b>"stor"</b>',
        "budget-1-text": "Lyd < 100 dB &amp; kabler",
        "budget-2-text": 'Billetter à 50 kr. \' og "entré"',
    }
    data = factories.grant_form_data(pool, **lines)
    data.pop("submit")
    response = client.post(reverse("proposals:grant_create", args=[pool.pk]), data)
    assert response.status_code == HTTPStatus.FOUND, problems(response.content.decode())
    application = GrantApplication.objects.get()

    def stored():
        return sorted((li.kind, li.text, li.amount) for li in application.lines.all())

    first = stored()
    assert {text for _kind, text, _amount in first} == set(lines.values())  # kept as typed
    edit = reverse("proposals:grant_edit", args=[application.pk])
    for _save in range(3):
        _post_back_unchanged(client, edit, field="budget-0-text", button="save")
        assert stored() == first
