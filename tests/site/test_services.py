"""The real services of production and CI. Under REQUIRE_SERVICES=1 these fail, never skip."""

import pytest
from channels_redis.core import RedisChannelLayer
from django.db import connection

from tests import services


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_is_postgresql_and_enforces_constraints(django_user_model):
    from django.db import IntegrityError, transaction

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert int(cursor.fetchone()[0].split(".")[0]) >= 13
    django_user_model.objects.create_user(email="Case@Example.dk", password="x-long-password-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        django_user_model.objects.create_user(email="case@example.dk", password="x-long-pw-12")


@pytest.mark.redis
async def test_redis_channel_layer_carries_group_messages_between_processes():
    url = services.redis_url()
    # Two layer instances stand for two ASGI processes sharing one Redis.
    sender = RedisChannelLayer(hosts=[url], prefix="borgerbudget-test")
    receiver = RedisChannelLayer(hosts=[url], prefix="borgerbudget-test")
    channel = await receiver.new_channel()
    await receiver.group_add("round-test", channel)
    try:
        await sender.group_send("round-test", {"type": "round.snapshot", "seq": 7})
        message = await receiver.receive(channel)
        assert message == {"type": "round.snapshot", "seq": 7}
    finally:
        await receiver.group_discard("round-test", channel)
        await sender.flush()
        await sender.close_pools()
        await receiver.close_pools()


@pytest.mark.redis
def test_configured_layer_is_redis_when_redis_url_is_set(settings):
    services.redis_url()
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
