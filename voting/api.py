"""Open data API, voting part: the confirmed results of rounds.

Only aggregates: which projects the announced rule selected, what the committee decided, votes
per project and the fingerprint of the anonymised ballot file. Nothing about any voter.
"""

import django_filters
from rest_framework import serializers

from committees.api import IdFilter, PublicViewSet, id_or_slug
from voting.models import RoundResult
from voting.selectors import round_projects, round_vote_counts


def _ids(values) -> list[int]:
    return [int(v) for v in values]


class ResultSerializer(serializers.ModelSerializer):
    round = serializers.IntegerField(source="budget_round_id", read_only=True)
    committee = serializers.IntegerField(source="budget_round.committee_id", read_only=True)
    computed_selected = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Proposal ids the announced tally rule selected.",
    )
    final_selected = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Proposal ids the committee confirmed (differs only with an override).",
    )
    overridden = serializers.BooleanField(read_only=True)

    class Meta:
        model = RoundResult
        fields = [
            "round",
            "committee",
            "rule",
            "computed_selected",
            "final_selected",
            "overridden",
            "override_reason",
            "ballot_count",
            "ballots_sha256",
            "confirmed_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["computed_selected"] = _ids(instance.computed_selected)
        data["final_selected"] = _ids(instance.final_selected)
        return data


class ResultProjectSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    title = serializers.CharField()
    cost = serializers.IntegerField()
    votes = serializers.IntegerField(help_text="Votes or points under the round's ballot style.")
    selected = serializers.BooleanField()


class ResultDetailSerializer(ResultSerializer):
    projects = ResultProjectSerializer(
        many=True, read_only=True, help_text="Projects on the ballot, most votes first."
    )

    class Meta(ResultSerializer.Meta):
        fields = [*ResultSerializer.Meta.fields, "projects"]

    def to_representation(self, instance):
        instance.projects = self.projects_of(instance)
        return super().to_representation(instance)

    @staticmethod
    def projects_of(instance) -> list[dict]:
        budget_round = instance.budget_round
        votes = round_vote_counts(budget_round=budget_round)
        final = {str(pid) for pid in instance.final_selected}
        return [
            {
                "proposal": proposal.pk,
                "title": proposal.title,
                "cost": proposal.cost,
                "votes": votes.get(pid, 0),
                "selected": pid in final,
            }
            for pid, proposal in sorted(
                round_projects(budget_round=budget_round).items(),
                key=lambda item: (-votes.get(item[0], 0), item[1].pk),
            )
        ]


class ResultFilter(django_filters.FilterSet):
    committee = django_filters.CharFilter(
        method=id_or_slug("budget_round__committee"), help_text="Committee id or slug."
    )
    round = IdFilter(field_name="budget_round_id", help_text="Round id.")

    class Meta:
        model = RoundResult
        fields = ["committee", "round"]


class ResultViewSet(PublicViewSet):
    """Confirmed results, one per round; the detail (by round id) adds votes per project."""

    queryset = RoundResult.objects.select_related("budget_round").order_by("-confirmed_at", "pk")
    serializer_class = ResultSerializer
    filterset_class = ResultFilter
    lookup_field = "budget_round_id"
    lookup_url_kwarg = "round_id"
    lookup_value_regex = r"[0-9]+"

    def get_serializer_class(self):
        return ResultDetailSerializer if self.action == "retrieve" else ResultSerializer
