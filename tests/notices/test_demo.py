"""The demo: the resident follows their committee and hears about the demo vote."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command

from committees.models import BudgetRound
from notices import scheduler
from notices.demo import DEMO_RESIDENT

pytestmark = pytest.mark.django_db


def test_demo_resident_gets_voting_opens_and_the_reminder_in_their_language(
    home_page, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    voting = BudgetRound.objects.get(slug="demo-voting", committee__name="Østerbro Lokaludvalg")
    mail.outbox.clear()
    two_days_left = voting.voting_end - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        scheduler.schedule(now=two_days_left)
    to_resident = [m for m in mail.outbox if m.to == [DEMO_RESIDENT]]
    about_the_vote = [m.subject for m in to_resident if voting.title in m.body]
    committee = voting.committee.name
    assert sorted(about_the_vote) == sorted(
        [f"Afstemningen er åben: {committee}", f"To dage tilbage til at stemme: {committee}"]
    )
    assert all(m.extra_headers["List-Unsubscribe-Post"] for m in to_resident)
    assert {m.extra_headers["Content-Language"] for m in to_resident} == {"da"}
