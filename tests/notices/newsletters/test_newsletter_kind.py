"""Newsletters are a kind of their own: residents choose them apart from what they follow, and
those who had turned off "news about what you follow" before keep newsletters off."""

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from notices import services as notice_services
from notices.kinds import Kind
from notices.models import CommitteeFollow, NoticePreference
from notices.newsletters import services
from notices.newsletters.models import Newsletter
from tests import factories


@pytest.mark.django_db
def test_muting_following_keeps_newsletters_and_muting_newsletters_keeps_following(
    committee, moderator, django_capture_on_commit_callbacks
):
    keeps_news, keeps_follow = factories.user(), factories.user()
    for person in (keeps_news, keeps_follow):
        CommitteeFollow.objects.create(user=person, committee=committee)
    notice_services.unsubscribe(user=keeps_news, kind=Kind.FOLLOWING)
    notice_services.unsubscribe(user=keeps_follow, kind=Kind.NEWSLETTER)
    newsletter = Newsletter.objects.create(committee=committee, subject="Nyt", body="<p>Hej</p>")
    with django_capture_on_commit_callbacks(execute=True):
        services.newsletter_send(newsletter=newsletter, user=moderator)
    assert [m.to for m in mail.outbox] == [[keeps_news.email]]
    assert services.newsletter_counts(newsletter=newsletter)["unsubscribed"] == 1
    assert NoticePreference.objects.get(user=keeps_follow).muted == [Kind.NEWSLETTER]


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_newsletters_off_for_whoever_had_turned_off_following():
    executor = MigrationExecutor(connection)
    before = [("notices", "0001_outbox_preferences_follows")]
    after = [("notices", "0002_newsletter_kind")]
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        user_model = old.get_model("committees", "User")
        preference = old.get_model("notices", "NoticePreference")
        muted_following = user_model.objects.create(email="a@example.org")
        muted_other = user_model.objects.create(email="b@example.org")
        preference.objects.create(user=muted_following, muted=["following", "results"])
        preference.objects.create(user=muted_other, muted=["results"])
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps.get_model("notices", "NoticePreference")
        assert new.objects.get(user_id=muted_following.pk).muted == [
            "following",
            "newsletter",
            "results",
        ]
        assert new.objects.get(user_id=muted_other.pk).muted == ["results"]
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
