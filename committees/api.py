"""Open data API, committees part: committees, budget rounds and public meetings.

Read-only, public, paginated and filterable JSON with no personal data. The shared pieces
(pagination, the rate limit for anonymous clients, the read-only rule) live here, in the app
every other app may import; `pbsite.api` wires all the apps' viewsets under /api/v1/.
"""

import django_filters
from django import forms
from django.conf import settings
from django.utils import translation
from rest_framework import pagination, permissions, serializers, throttling, viewsets

from committees import clients
from committees.ids import MAX_ID, parse_id
from committees.models import (
    AgendaItem,
    Area,
    BudgetRound,
    Committee,
    District,
    Meeting,
    MinutesEntry,
    RoundCategory,
)


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class AnonymousRateThrottle(throttling.AnonRateThrottle):
    """Anonymous clients get `API_ANON_RATE` requests (e.g. "120/minute") per address."""

    def get_rate(self):
        return settings.API_ANON_RATE

    def get_ident(self, request):
        # Not DRF's own: without NUM_PROXIES it takes X-Forwarded-For whole, as the client
        # writes it, so a new header would be a new allowance.
        address = clients.client_address(request)
        return clients.throttle_key(address) if address else "unknown"


class ReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS


class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    """GET, HEAD and OPTIONS only; no authentication: the data is public and the same for all."""

    authentication_classes: list = []
    permission_classes = [ReadOnly]
    throttle_classes = [AnonymousRateThrottle]
    pagination_class = Pagination
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]


class IdFilter(django_filters.NumberFilter):
    """`?round=12`: a whole number that can be an id; anything else is a 400, never a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def id_or_slug(field: str):
    """A filter method: `?committee=3` or `?committee=oesterbro-lokaludvalg`."""

    def method(queryset, name, value):
        if value.isascii() and value.isdigit():
            number = parse_id(value)
            if number is None:
                return queryset.none()
            return queryset.filter(**{f"{field}_id": number})
        return queryset.filter(**{f"{field}__slug": value})

    return method


# --- Serializers ---------------------------------------------------------------------------


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "name", "slug"]


class CommitteeSerializer(serializers.ModelSerializer):
    district = DistrictSerializer(read_only=True)

    class Meta:
        model = Committee
        fields = ["id", "name", "slug", "district"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = RoundCategory
        fields = ["id", "name"]


class RoundSerializer(serializers.ModelSerializer):
    phase = serializers.ChoiceField(
        choices=["upcoming", "ideas", "review", "voting", "results", "implementation"],
        read_only=True,
        help_text="The phase the round is in now.",
    )
    categories = CategorySerializer(many=True, read_only=True)
    voting_areas = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Area.objects.all(),
        help_text="Area ids (committee or local areas); empty: the committee's own area.",
    )

    class Meta:
        model = BudgetRound
        fields = [
            "id",
            "committee",
            "title",
            "slug",
            "phase",
            "pot",
            "min_cost",
            "max_cost",
            "min_age",
            "min_supports",
            "decision_method",
            "tally_rule",
            "ballot_style",
            "voting_areas",
            "categories",
            "ideas_start",
            "ideas_end",
            "review_start",
            "review_end",
            "voting_start",
            "voting_end",
            "results_start",
            "implementation_start",
        ]


class AgendaItemSerializer(serializers.ModelSerializer):
    """An agenda item in the reader's language (cookie or Accept-Language): what the platform
    generated is worded by `AgendaItem.texts`, with its data in `generated`; typed parts as typed.
    """

    class Meta:
        model = AgendaItem
        fields = ["generated"]

    def to_representation(self, item: AgendaItem) -> dict:
        request = self.context.get("request")
        language = translation.get_language_from_request(request) if request else None
        with translation.override(language or settings.LANGUAGE_CODE):
            texts = item.texts()
        return {**texts, **super().to_representation(item)}


class MinutesEntrySerializer(serializers.ModelSerializer):
    """A line the platform added to the minutes: its data, and its words in the reader's
    language (the language cookie or Accept-Language: the API has no /en/ prefix)."""

    text = serializers.SerializerMethodField()

    class Meta:
        model = MinutesEntry
        fields = ["kind", "params", "added_at", "text"]

    def get_text(self, entry: MinutesEntry) -> str:
        request = self.context.get("request")
        language = translation.get_language_from_request(request) if request else None
        with translation.override(language or settings.LANGUAGE_CODE):
            return entry.text()


class MeetingSerializer(serializers.ModelSerializer):
    agenda = AgendaItemSerializer(source="agenda_items", many=True, read_only=True)
    minutes_generated = MinutesEntrySerializer(source="minutes_entries", many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "committee",
            "budget_round",
            "title",
            "starts_at",
            "ends_at",
            "venue_name",
            "venue_address",
            "venue_kind",
            "minutes",
            "minutes_generated",
            "agenda",
        ]


# --- Filters and viewsets ------------------------------------------------------------------


class CommitteeFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(
        method=id_or_slug("district"), help_text="District id or slug."
    )

    class Meta:
        model = Committee
        fields = ["district"]


class CommitteeViewSet(PublicViewSet):
    """The local committees (lokaludvalg) and the district each serves."""

    queryset = Committee.objects.select_related("district").order_by("name", "pk")
    serializer_class = CommitteeSerializer
    filterset_class = CommitteeFilter


class RoundFilter(django_filters.FilterSet):
    committee = django_filters.CharFilter(
        method=id_or_slug("committee"), help_text="Committee id or slug."
    )

    class Meta:
        model = BudgetRound
        fields = ["committee"]


class RoundViewSet(PublicViewSet):
    """Budget rounds: the pot, the rules and the schedule of phases."""

    queryset = (
        BudgetRound.objects.select_related("committee")
        .prefetch_related("categories", "voting_areas")
        .order_by("-ideas_start", "pk")
    )
    serializer_class = RoundSerializer
    filterset_class = RoundFilter


class MeetingFilter(django_filters.FilterSet):
    committee = django_filters.CharFilter(
        method=id_or_slug("committee"), help_text="Committee id or slug."
    )
    round = IdFilter(field_name="budget_round_id", help_text="Round id.")
    after = django_filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="gte", help_text="Meetings starting at or after."
    )

    class Meta:
        model = Meeting
        fields = ["committee", "round", "after"]


class MeetingViewSet(PublicViewSet):
    """Public committee meetings with their agenda; closed meetings are never listed."""

    queryset = (
        Meeting.objects.filter(is_public=True)
        .prefetch_related("agenda_items", "minutes_entries")
        .order_by("starts_at", "pk")
    )
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter


__all__ = [
    "AnonymousRateThrottle",
    "CommitteeViewSet",
    "MeetingViewSet",
    "Pagination",
    "PublicViewSet",
    "ReadOnly",
    "RoundViewSet",
]
