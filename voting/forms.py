"""Forms of the voting app's staff pages."""

from django import forms

from voting.models import VotingConfig
from voting.services import CONFIG_FIELDS_ALWAYS, CONFIG_FIELDS_FROZEN_AT_VOTING


class VotingConfigForm(forms.ModelForm):
    """A round's voting settings; the ballot rules are read-only once voting has opened."""

    class Meta:
        model = VotingConfig
        fields = [*CONFIG_FIELDS_FROZEN_AT_VOTING, *CONFIG_FIELDS_ALWAYS]

    def __init__(self, *args, frozen: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if frozen:
            for name in CONFIG_FIELDS_FROZEN_AT_VOTING:
                self.fields[name].disabled = True
