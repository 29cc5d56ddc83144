"""The admin is Danish for Danish staff and English for English staff.

Wagtail's own strings come from Wagtail's Danish catalogue. Ours (model and field names,
choices, column headers, menu items, our own admin screens) come from `locale/da`. Every admin
screen of ours is rendered as a Danish site admin, and no text on it may be one of our English
source strings that Danish translates differently: a string left untranslated, or marked for
translation too early to follow the language (gettext instead of gettext_lazy), shows up here.
"""

import ast
import functools
import json
from html.parser import HTMLParser
from http import HTTPStatus
from pathlib import Path

import pytest
import wagtail
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext
from wagtail.admin.viewsets import viewsets
from wagtail.users.models import UserProfile

from tests import factories

pytestmark = pytest.mark.django_db

OUR_APPS = ("committees", "proposals", "voting")
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "da" / "LC_MESSAGES" / "django.po"


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line[line.index('"') :]) for line in lines)


def po_entries(path: Path):
    """(context, msgid, msgstr or "" when fuzzy) of every entry of a .po file."""
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts: dict[str, list[str]] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            if not line.startswith('"'):
                current = line.split(" ", 1)[0]
            parts.setdefault(current, []).append(line)
        if parts.get("msgid"):
            msgstr = parts.get("msgstr") or parts.get("msgstr[0]") or []
            yield (
                _unquote(parts["msgctxt"]) if "msgctxt" in parts else None,
                _unquote(parts["msgid"]),
                "" if fuzzy else _unquote(msgstr),
            )


@functools.cache
def wagtail_english_in_danish() -> frozenset[str]:
    """Wagtail's admin strings that still read in English for a Danish user: Wagtail's own
    Danish catalogue is far from complete, ours fills in what our staff's screens show."""
    root = Path(wagtail.__file__).parent
    left = set()
    with translation.override("da"):
        for po in root.glob("**/locale/en/LC_MESSAGES/django.po"):
            for context, msgid, _msgstr in po_entries(po):
                if not msgid or "%" in msgid or "{" in msgid:
                    continue
                danish = pgettext(context, msgid) if context else gettext(msgid)
                if danish == msgid:
                    left.add(msgid)
    return frozenset(left)


def danish_catalogue() -> dict[str, str]:
    """msgid -> msgstr of our Danish catalogue; a fuzzy or empty translation counts as none."""
    return {msgid: msgstr for _context, msgid, msgstr in po_entries(CATALOGUE) if msgid}


class TextOf(HTMLParser):
    """The visible text of a page, the labels a screen reader reads, and the strings Wagtail
    hands its scripts as JSON (the menu, the dialogs)."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style", "template"):
            self._script = attributes.get("type") or tag
        for name in ("aria-label", "title", "placeholder", "alt"):
            if attributes.get(name):
                self.texts.append(attributes[name].strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._script = None

    def handle_data(self, data):
        if self._script == "application/json":
            try:
                self.texts += [t for t in strings_in(json.loads(data)) if t[:1].isupper()]
            except ValueError:
                pass  # not JSON after all
        elif self._script is None and data.strip():
            self.texts.append(" ".join(data.split()))


def strings_in(value):
    if isinstance(value, str):
        yield value.strip()
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def english_left_on(html: str, catalogue: dict[str, str]) -> set[str]:
    parser = TextOf()
    parser.feed(html)
    english = {msgid for msgid, msgstr in catalogue.items() if msgstr != msgid}
    english |= wagtail_english_in_danish() - set(catalogue.values())
    english -= {name for _code, name in settings.WAGTAILADMIN_PERMITTED_LANGUAGES}
    # names never marked for translation, unless they are Danish words too ("Status")
    english |= our_names()[1] - set(catalogue.values())
    return {text.rstrip(":*") for text in parser.texts if text.rstrip(":*") in english}


@pytest.fixture
def world(home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    vote = factories.voting_round(committee=committee, title="Østerbro 2027")
    pool = factories.grant_pool(committee=committee, title="Østerbro-puljen")
    application = factories.grant_application(pool=pool)
    meeting = factories.meeting(committee=committee, title="Lokaludvalgsmøde")
    meeting.agenda_items.create(title="Godkendelse af dagsorden", sort_order=0)
    meeting.save()
    from voting.models import PollingStation

    station = PollingStation.objects.create(budget_round=vote, name="Østerbro Bibliotek")
    admin = factories.user(is_superuser=True, is_staff=True, preferred_language="da")
    return {
        "committee": committee,
        "round": vote,
        "pool": pool,
        "meeting": meeting,
        "deadline": pool.deadlines.first(),
        "proposal": vote.proposals.first(),
        "application": application,
        "station": station,
        "district": committee.district,
        "admin": admin,
    }


def our_admin_pages(world) -> list[str]:
    objects = {
        "committees.Committee": world["committee"],
        "committees.District": world["district"],
        "committees.BudgetRound": world["round"],
        "committees.Meeting": world["meeting"],
        "committees.ApplicationDeadline": world["deadline"],
        "proposals.Proposal": world["proposal"],
        "voting.PollingStation": world["station"],
    }
    urls = [reverse("wagtailadmin_home")]
    for viewset in viewsets.viewsets:
        model = getattr(viewset, "model", None)
        if not isinstance(model, type) or model._meta.label not in objects:
            continue
        urls.append(reverse(viewset.get_url_name("index")))
        obj = objects[model._meta.label]
        for action in ("add", "edit", "inspect"):
            try:
                urls.append(
                    reverse(viewset.get_url_name(action), args=[obj.pk] if action != "add" else [])
                )
            except Exception:
                continue
    pk = world["round"].pk
    urls += [
        reverse("proposal_review", args=[world["proposal"].pk]),
        reverse("proposal_queue"),
        reverse("grant_queue"),
        reverse("grant_process", args=[world["application"].pk]),
        reverse("tracking_index"),
        reverse("round_schedule", args=[pk]),
        reverse("voting_overview"),
        reverse("voting_config", args=[pk]),
    ]
    return urls


def test_every_admin_screen_of_ours_is_danish_for_a_danish_user(client, world):
    catalogue = danish_catalogue()
    client.force_login(world["admin"])
    found = {}
    pages = our_admin_pages(world)
    assert len(pages) > 20
    for url in pages:
        response = client.get(url)
        if url.endswith("/new/") and response.status_code == HTTPStatus.FOUND:
            continue  # nobody adds that in the admin (proposals come from residents)
        assert response.status_code == HTTPStatus.OK, url
        english = english_left_on(response.content.decode(), catalogue)
        if english:
            found[url] = sorted(english)
    assert found == {}


def our_names() -> tuple[list, set[str]]:
    """(marked, unmarked): our model, field and choice names as the admin shows them; the marked
    ones lazy, to be read in each language, the unmarked ones as the admin would show them."""
    marked, unmarked = [], set()
    for model in (m for app in OUR_APPS for m in apps.get_app_config(app).get_models()):
        names = [model._meta.verbose_name, model._meta.verbose_name_plural]
        for field in model._meta.get_fields():
            if field.auto_created or not hasattr(field, "verbose_name"):
                continue
            names.append(field.verbose_name)
            names += [label for _value, label in (getattr(field, "choices", None) or [])]
        for name in names:
            if isinstance(name, Promise):
                marked.append(name)
            else:
                unmarked.add(capfirst(str(name)))
    return marked, unmarked


def test_our_model_and_field_names_and_choices_have_danish():
    """The admin's column headers, form labels and filter choices: Danish from our catalogue, or
    from Django's and Wagtail's for the fields our models inherit."""
    catalogue = danish_catalogue()
    missing = set()
    for name in our_names()[0]:
        with translation.override("en"):
            english = str(name)
        with translation.override("da"):
            danish = str(name)
        if danish == english and catalogue.get(english) != english:
            missing.add(english)
    assert sorted(missing) == []


def admin_home(client, **headers) -> str:
    return client.get(reverse("wagtailadmin_home"), **headers).content.decode()


def test_an_english_user_gets_the_admin_in_english_whatever_the_browser(client, world):
    person = factories.moderator(committee=world["committee"])
    person.preferred_language = "en"
    person.save(update_fields=["preferred_language"])
    assert UserProfile.get_for_user(person).preferred_language == "en"
    client.force_login(person)
    html = client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert '<html lang="en"' in html and "Dashboard" in html


def test_the_language_switch_reaches_the_admin(client, world):
    person = factories.moderator(committee=world["committee"])
    client.force_login(person)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en"' in admin_home(client)
    client.post(reverse("set_language"), {"language": "da", "next": "/"})
    assert '<html lang="da"' in admin_home(client)


def test_signing_in_brings_an_older_account_s_language_to_the_admin(client, world):
    person = factories.moderator(committee=world["committee"])
    type(person).objects.filter(pk=person.pk).update(preferred_language="en")  # no signal
    profile = UserProfile.get_for_user(person)
    profile.preferred_language = ""
    profile.save()
    response = client.post(
        reverse("account_login"), {"login": person.email, "password": factories.PASSWORD}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert '<html lang="en"' in admin_home(client, HTTP_ACCEPT_LANGUAGE="da")


def test_a_resident_given_a_role_gets_the_admin_in_their_language(world):
    person = factories.user(preferred_language="en")
    assert not UserProfile.objects.filter(user=person).exists()  # residents need no profile
    factories.moderator(committee=world["committee"], person=person)
    assert UserProfile.get_for_user(person).preferred_language == "en"


# --- What Wagtail's scripts say: its JavaScript catalogue and the strings in `wagtailConfig` ---

WAGTAIL_SCRIPT_CATALOGUE = (
    Path(wagtail.__file__).parent / "admin" / "locale" / "en" / "LC_MESSAGES" / "djangojs.po"
)


def served_script_catalogue(client) -> dict:
    """The catalogue the admin's scripts read (/admin/jsi18n/), in the signed-in user's
    language: Wagtail's own Danish, with ours (locale/da/LC_MESSAGES/djangojs.po) over it."""
    body = client.get(reverse("wagtailadmin_javascript_catalog")).content.decode()
    start = body.index("{", body.index("newcatalog"))
    return json.JSONDecoder().raw_decode(body, start)[0]


def test_every_string_of_wagtail_s_scripts_has_danish(client, world):
    client.force_login(world["admin"])
    served = served_script_catalogue(client)
    msgids = {msgid for _context, msgid, _msgstr in po_entries(WAGTAIL_SCRIPT_CATALOGUE) if msgid}
    assert len(msgids) > 50
    assert sorted(msgids - set(served)) == []
    # Danish, not the English copied over (a few are the same words in both languages).
    same = {msgid for msgid in msgids if served[msgid] == msgid}
    assert same <= {"%(time_zone_option)s: %(localized_time_zone_label)s", "Dashboard"}


def script_strings(html: str) -> dict[str, str]:
    """The strings of `wagtailConfig` (Wagtail's config JSON) by their path in it."""
    config = html.split('<script id="wagtail-config" type="application/json">', 1)[1]
    config = json.loads(config.split("</script>", 1)[0])

    def flat(value, path):
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from flat(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from flat(item, f"{path}[{index}]")

    return dict(flat(config["STRINGS"], "STRINGS"))


def test_the_strings_wagtail_hands_its_scripts_are_danish(client, world):
    client.force_login(world["admin"])
    danish = script_strings(admin_home(client))
    world["admin"].preferred_language = "en"
    world["admin"].save(update_fields=["preferred_language"])
    english = script_strings(admin_home(client))
    assert set(danish) == set(english) and len(danish) > 40
    assert sorted(path for path in danish if danish[path] == english[path]) == []


class Placeholders(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        value = dict(attrs).get("placeholder")
        if value and any(c.isalpha() for c in value):
            self.found.append(value.strip())


def placeholders(client, url) -> list[str]:
    parser = Placeholders()
    parser.feed(client.get(url).content.decode())
    return parser.found


def test_placeholders_on_our_admin_screens_are_danish(client, world):
    """Each screen in Danish and in English: the same boxes, and no hint left in English."""
    client.force_login(world["admin"])
    pages = our_admin_pages(world)
    danish = {url: placeholders(client, url) for url in pages}
    world["admin"].preferred_language = "en"
    world["admin"].save(update_fields=["preferred_language"])
    english = {url: placeholders(client, url) for url in pages}
    assert sum(len(found) for found in danish.values()) >= 5
    left = {
        url: [text for text, other in zip(danish[url], english[url], strict=True) if text == other]
        for url in pages
    }
    assert {url: texts for url, texts in left.items() if texts} == {}
