"""Forms of the staff intake pages: a resident's idea, a resident's support, a file of paper
forms. They check the shape of what was typed; the services check the rest (no CPR number,
lengths, the round's rules) and their messages are put on these forms' fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.forms import ProposalForm
from proposals.intake.services import MAX_IMPORT_BYTES, RESIDENT_LIMITS
from proposals.models import Proposal


def _resident_fields(*, address_required: bool) -> dict[str, forms.Field]:
    return {
        "resident_name": forms.CharField(
            label=_("Resident's name"),
            max_length=RESIDENT_LIMITS["resident_name"],
            help_text=_("As the resident wants it recorded. Never a CPR number."),
            error_messages={"required": _("Write the name the resident wants recorded.")},
        ),
        "resident_address": forms.CharField(
            label=_("Resident's address"),
            max_length=RESIDENT_LIMITS["resident_address"],
            required=address_required,
            help_text=_("Street, number and postcode, as on the resident's ID."),
            error_messages={"required": _("Write the resident's address.")},
        ),
        "place": forms.CharField(
            label=_("Where you enter it"),
            max_length=RESIDENT_LIMITS["place"],
            required=False,
            help_text=_("For example Valby Library or the citizen service desk."),
        ),
        "id_checked": forms.BooleanField(
            label=_("I have checked the resident's ID, and the address is in the area"),
            error_messages={"required": _("Check the resident's ID before you enter anything.")},
        ),
    }


class IntakeProposalForm(ProposalForm):
    """The resident's idea, as the proposal form asks for it, and who the resident is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("images", "image_alt", "attachment", "latitude", "longitude"):
            del self.fields[name]
        self.fields.update(_resident_fields(address_required=False))
        self.fields["resident_contact"] = forms.CharField(
            label=_("Phone or e-mail (optional)"),
            max_length=RESIDENT_LIMITS["resident_contact"],
            required=False,
            help_text=_("Only if the resident wants the committee to be able to reach them."),
        )
        for name in ("resident_name", "id_checked"):
            self.fields[name].needed_to_submit = True

    def clean_images(self):
        return []

    def clean_attachment(self):
        return None

    def resident_for_service(self) -> dict:
        return {
            name: self.cleaned_data.get(name) or ""
            for name in ("resident_name", "resident_address", "resident_contact", "place")
        }


class IntakeSupportForm(forms.Form):
    proposal = forms.ModelChoiceField(
        label=_("Proposal"),
        queryset=Proposal.objects.none(),
        empty_label=_("Choose the proposal"),
        error_messages={
            "required": _("Choose the proposal the resident supports."),
            "invalid_choice": _("Choose one of the round's proposals."),
        },
    )

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = proposals
        self.fields["proposal"].label_from_instance = lambda p: f"{p.case_number}: {p.title}"
        self.fields.update(_resident_fields(address_required=True))
        self.fields["resident_email"] = forms.EmailField(
            label=_("The resident's e-mail address, if they have an account here (optional)"),
            max_length=254,
            required=False,
            help_text=_(
                "Then their support here and one given online count once. Only an address "
                "the account has verified is accepted."
            ),
        )


class IntakeImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file with the paper forms"),
        help_text=_(
            "One line per form, with the columns described in the guide. UTF-8 or Excel's CSV, "
            "separated by semicolons or commas; at most 2 MB and 500 lines."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": _("Choose the CSV file to import.")},
    )
    place = forms.CharField(
        label=_("Where the forms were collected"),
        max_length=RESIDENT_LIMITS["place"],
        required=False,
        help_text=_("For example the public meeting in Valby Hall on 3 December."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 2 MB. Split it into smaller files.")
            )
        return upload
