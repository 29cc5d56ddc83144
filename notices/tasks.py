"""The background tasks of notices (django-tasks, the backport of Django 6.0's `django.tasks`).

They run in the `notices` backend: the database backend in every environment, worked by
`manage.py db_worker --backend notices` (`make run` starts one; production runs as many as it
likes, on any machine that reaches PostgreSQL). Tasks take only ids, so that they stay small
and a retry reads the current state of the rows.
"""

from django_tasks import task

from notices import services


@task(backend="notices")
def deliver(delivery_ids: list[int]) -> int:
    """Send a batch of queued deliveries; those already sent or claimed are left alone."""
    return services.deliveries_send(ids=delivery_ids)


@task(backend="notices")
def phase_notice_fanout(phase_notice_id: int) -> int:
    """Write one delivery per follower of the round or its committee, then queue their sends."""
    from notices import scheduler  # import cycle: scheduler enqueues this module's tasks

    return scheduler.phase_notice_fanout(phase_notice_id=phase_notice_id)
