"""Forms of the voting app's staff pages."""

from django import forms

from voting.models import VotingConfig
from voting.services import CONFIG_FIELDS_ALWAYS, CONFIG_FIELDS_FROZEN_AT_VOTING, config_fields_for


class VotingConfigForm(forms.ModelForm):
    """A round's voting settings; the ballot rules are read-only once voting has opened.

    Only the limits of the round's ballot style are fields: a knapsack round has no "approval:
    at most" to puzzle over, and what is not posted keeps its stored value."""

    class Meta:
        model = VotingConfig
        fields = [*CONFIG_FIELDS_FROZEN_AT_VOTING, *CONFIG_FIELDS_ALWAYS]

    def __init__(self, *args, frozen: bool, **kwargs):
        super().__init__(*args, **kwargs)
        shown = config_fields_for(self.instance.budget_round)
        for name in list(self.fields):
            if name not in shown:
                del self.fields[name]
        if frozen:
            for name in CONFIG_FIELDS_FROZEN_AT_VOTING:
                if name in self.fields:
                    self.fields[name].disabled = True
