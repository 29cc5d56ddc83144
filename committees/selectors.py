"""Reads of the committees app. Other apps and pages call these, never the tables."""

from django.db.models import Prefetch, QuerySet

from committees.models.areas import Committee, District


def districts_with_committees() -> QuerySet[District]:
    return District.objects.prefetch_related(
        Prefetch("committees", queryset=Committee.objects.order_by("name"))
    ).order_by("name")
