"""In the admin, the parts of an agenda item the platform wrote (a grant application's item) are
shown in the staff member's language and cannot be edited there: an edit would be stored beside
the item's data and never shown. Parts people typed, and items people typed, stay editable."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import translation

from committees.models import AgendaItem
from tests import factories
from tests.voting.live.test_display_language import DANISH, ENGLISH, GENERATED

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    return factories.meeting(committee=factories.committee("Østerbro Lokaludvalg"))


@pytest.fixture
def moderator(meeting):
    return factories.moderator(committee=meeting.committee)


def _items(meeting):
    generated = AgendaItem.objects.create(
        meeting=meeting,
        title=DANISH,
        problem="Et loppemarked for hele kvarteret.",
        sort_order=0,
        generated=GENERATED,
    )
    typed = AgendaItem.objects.create(meeting=meeting, title="Bænke ved søen", sort_order=1)
    return generated, typed


@pytest.mark.parametrize(("language", "title"), [("da", DANISH), ("en", ENGLISH)])
def test_generated_parts_show_in_the_staff_members_language_and_are_locked(
    client, meeting, moderator, language, title
):
    generated, typed = _items(meeting)
    moderator.preferred_language = language  # the admin speaks the staff member's language
    moderator.save(update_fields=["preferred_language"])
    client.force_login(moderator)
    page = client.get(reverse("meeting:edit", args=[meeting.pk])).content.decode()
    assert f'<html lang="{language}"' in page
    title_input = page[page.index('name="agenda_items-0-title"') - 200 :]
    title_input = title_input[: title_input.index(">", 200) + 1]
    assert "disabled" in title_input and f'value="{title}"' in title_input
    problem = page[page.index('name="agenda_items-0-problem"') - 200 :]
    assert "disabled" not in problem[: problem.index(">", 200) + 1]  # typed: the summary
    typed_input = page[page.index('name="agenda_items-1-title"') - 200 :]
    assert "disabled" not in typed_input[: typed_input.index(">", 200) + 1]


def test_a_posted_edit_of_a_generated_part_changes_nothing_shown(client, meeting, moderator):
    generated, typed = _items(meeting)
    client.force_login(moderator)
    url = reverse("meeting:edit", args=[meeting.pk])
    response = client.post(
        url,
        factories.meeting_admin_form(
            meeting,
            agenda_items=[
                (
                    generated,
                    {"title": "Forfalsket titel", "economy": "Alt gratis", "problem": "Nyt resumé"},
                ),
                (typed, {"title": "Bænke og borde ved søen"}),
            ],
        ),
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    generated.refresh_from_db()
    typed.refresh_from_db()
    assert generated.generated == GENERATED
    assert generated.title == DANISH  # the posted title was ignored
    assert generated.problem == "Nyt resumé"  # the typed part was edited
    assert typed.title == "Bænke og borde ved søen"
    for language, title in (("da", DANISH), ("en", ENGLISH)):
        with translation.override(language):
            texts = generated.texts()
        assert texts["title"] == title
        assert "Alt gratis" not in texts["economy"] and "Forfalsket" not in texts["title"]
