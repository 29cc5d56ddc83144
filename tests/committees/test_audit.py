"""The audit log is append-only and hash-chained; a command verifies the chain."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from committees import services
from committees.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _entries(n=3):
    committee = factories.committee()
    actor = factories.user()
    return [
        services.audit_record(actor=actor, action=f"test.{i}", obj=committee, reason=f"r{i}")
        for i in range(n)
    ]


def test_entries_are_chained():
    first, second, third = _entries()
    assert first.previous_hash == AuditEntry.objects.get(action="committee.create").hash
    assert second.previous_hash == first.hash and third.previous_hash == second.hash
    assert services.audit_chain_verify() == []
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "4 entries verified" in out.getvalue()


def test_entries_cannot_be_changed_or_deleted_through_the_orm():
    entry = _entries(1)[0]
    entry.reason = "changed"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()


def test_a_tampered_entry_is_detected():
    _first, second, _third = _entries()
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = %s WHERE id = %s", ["forged", second.pk])
    problems = services.audit_chain_verify()
    assert problems == [f"entry {second.pk}: content does not match its hash (tampered)"]
    with pytest.raises(CommandError, match="broken"):
        call_command("audit_verify", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_removed_entry_is_detected():
    _first, second, third = _entries()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [second.pk])
    assert services.audit_chain_verify() == [
        f"entry {third.pk}: does not link to the entry before it"
    ]
