"""Open data API, proposals part: public proposals and the follow-up of funded projects.

Only public fields of proposals in public states: never drafts, withdrawn or merged proposals,
never the author, the contact person, the CVR number, the checklist answers or review notes.
"""

import django_filters
from rest_framework import serializers

from committees.api import CategorySerializer, IdFilter, PublicViewSet, id_or_slug
from committees.ids import parse_id
from proposals.models import (
    EffectGoal,
    EffectMeasurement,
    ProjectUpdate,
    ProjectUpdatePhoto,
    Proposal,
    SubmitterKind,
    TrackedProject,
    TrackingStatus,
)
from proposals.richtext import sanitise_html
from proposals.selectors import LISTED_STATES


def category_filter(prefix: str = ""):
    """`?category=12` (a round's category id) or `?category=Grønne områder` (by name)."""

    def method(queryset, name, value):
        if value.isascii() and value.isdigit():
            number = parse_id(value)
            if number is None:
                return queryset.none()
            return queryset.filter(**{f"{prefix}category_id": number})
        return queryset.filter(**{f"{prefix}category__name__iexact": value})

    return method


class ResidentHTMLField(serializers.CharField):
    """A resident's formatted text, cleaned again on its way out (proposals/richtext.py)."""

    def to_representation(self, value) -> str:
        return sanitise_html(value or "")


class ProposalSerializer(serializers.ModelSerializer):
    round = serializers.IntegerField(source="budget_round_id", read_only=True)
    committee = serializers.IntegerField(source="budget_round.committee_id", read_only=True)
    state = serializers.ChoiceField(choices=LISTED_STATES, read_only=True)
    cost = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Revised cost when there is one, in kroner."
    )
    category = CategorySerializer(read_only=True, allow_null=True)
    organisation_name = serializers.SerializerMethodField(
        help_text="Name of the association, group or business; empty for residents."
    )
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    description = ResidentHTMLField(
        read_only=True,
        help_text="HTML limited to paragraphs, line breaks, emphasis, lists, headings h3-h6 "
        "and http(s)/mailto links; cleaned with an allow-list.",
    )

    class Meta:
        model = Proposal
        fields = [
            "id",
            "case_number",
            "round",
            "committee",
            "state",
            "title",
            "summary",
            "description",
            "category",
            "estimated_cost",
            "revised_cost",
            "cost",
            "location_text",
            "latitude",
            "longitude",
            "submitter_kind",
            "organisation_name",
            "support_count",
            "submitted_at",
            "inspired_by",
        ]

    def get_organisation_name(self, proposal) -> str:
        return proposal.public_organisation_name


class ProposalFilter(django_filters.FilterSet):
    committee = django_filters.CharFilter(
        method=id_or_slug("budget_round__committee"), help_text="Committee id or slug."
    )
    round = IdFilter(field_name="budget_round_id", help_text="Round id.")
    state = django_filters.ChoiceFilter(choices=[(s, s) for s in LISTED_STATES])
    category = django_filters.CharFilter(method=category_filter(), help_text="Category id or name.")
    submitter_kind = django_filters.ChoiceFilter(choices=SubmitterKind.choices)

    class Meta:
        model = Proposal
        fields = ["committee", "round", "state", "category", "submitter_kind"]


class ProposalViewSet(PublicViewSet):
    """Proposals in public states, with their public fields only."""

    queryset = (
        Proposal.objects.filter(state__in=LISTED_STATES, hidden=False)
        .select_related("budget_round", "category")
        .order_by("pk")
    )
    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter


# --- Tracked projects ----------------------------------------------------------------------


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProjectUpdatePhoto
        fields = ["url", "alt_text"]

    def get_url(self, photo) -> str:
        url = photo.image.file.url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class UpdateSerializer(serializers.ModelSerializer):
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = ProjectUpdate
        fields = ["date", "title", "body", "photos"]


class MeasurementSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = EffectMeasurement
        fields = ["measured_on", "value", "note"]


class GoalSerializer(serializers.ModelSerializer):
    baseline = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    target = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    measurements = MeasurementSerializer(many=True, read_only=True)

    class Meta:
        model = EffectGoal
        fields = ["indicator", "unit", "baseline", "target", "measurements"]


class TrackedProjectSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="proposal.title", read_only=True)
    round = serializers.IntegerField(source="proposal.budget_round_id", read_only=True)
    committee = serializers.IntegerField(
        source="proposal.budget_round.committee_id", read_only=True
    )
    category = CategorySerializer(source="proposal.category", read_only=True, allow_null=True)
    updates = UpdateSerializer(many=True, read_only=True)
    goals = GoalSerializer(many=True, read_only=True)

    class Meta:
        model = TrackedProject
        fields = [
            "id",
            "proposal",
            "title",
            "round",
            "committee",
            "category",
            "responsible",
            "status",
            "cancel_reason",
            "progress",
            "granted",
            "spent",
            "updated_at",
            "updates",
            "goals",
        ]


class TrackedProjectFilter(django_filters.FilterSet):
    committee = django_filters.CharFilter(
        method=id_or_slug("proposal__budget_round__committee"), help_text="Committee id or slug."
    )
    round = IdFilter(field_name="proposal__budget_round_id")
    status = django_filters.ChoiceFilter(choices=TrackingStatus.choices)
    category = django_filters.CharFilter(
        method=category_filter("proposal__"), help_text="Category id or name."
    )

    class Meta:
        model = TrackedProject
        fields = ["committee", "round", "status", "category"]


class TrackedProjectViewSet(PublicViewSet):
    """Funded projects: status, progress, money spent, dated updates and effect goals."""

    queryset = (
        TrackedProject.objects.select_related("proposal__budget_round", "proposal__category")
        .prefetch_related("updates__photos__image", "goals__measurements")
        .order_by("pk")
    )
    serializer_class = TrackedProjectSerializer
    filterset_class = TrackedProjectFilter
