"""Areas and addresses in the Wagtail admin.

A committee's moderators see their committee's areas and make, edit and delete its local areas (a
housing estate, a neighbourhood) with an outline in GeoJSON; only site administrators change a
committee's own area, whose outline is official data (`manage.py area_import`). Every save goes
through `committees.areas.area_save`: refused while a vote that admits by the area runs, and
audited with before and after. Addresses come from the address register (`address_import`) and
are listed read-only, for staff to check where an address was placed.
"""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from committees.areas import area_in_running_vote, area_save
from committees.geometry import GeometryError, geometry_check
from committees.models import Address, Area
from committees.permissions import CommitteeScopedPolicy, is_signed_in
from committees.scoped_admin import (
    CommitteeScopedForm,
    ScopedDeleteView,
    ScopedEditView,
    ScopedHistoryView,
    ScopedIndexView,
    ServiceSaveMixin,
)

MAX_BOUNDARY_CHARACTERS = 500_000


class AreaPolicy(CommitteeScopedPolicy):
    """Moderators: their committee's areas, local ones to change; site administrators: all."""

    def user_has_permission_for_instance(self, user, action, instance):
        if user.is_superuser:
            return True
        if action != "view" and instance.kind == Area.Kind.COMMITTEE:
            return False
        return super().user_has_permission_for_instance(user, action, instance)


register_permission_policy(Area, AreaPolicy(Area))


class BoundaryField(forms.CharField):
    """A GeoJSON Polygon or MultiPolygon typed or pasted as text; empty for none."""

    widget = forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        if len(value) > MAX_BOUNDARY_CHARACTERS:
            raise ValidationError(
                _("The outline is too long: at most %(limit)s characters."),
                params={"limit": number_format(MAX_BOUNDARY_CHARACTERS, force_grouping=True)},
                code="too_long",
            )
        try:
            geometry = json.loads(value)
        except ValueError:
            raise ValidationError(_("The outline is not valid JSON."), code="json") from None
        if isinstance(geometry, dict) and geometry.get("type") == "Feature":
            geometry = geometry.get("geometry")
        try:
            return geometry_check(geometry)
        except GeometryError as exc:
            # What an outline must be, then what is wrong with this one and where.
            raise ValidationError(
                [
                    ValidationError(
                        _(
                            "The outline must be a GeoJSON Polygon or MultiPolygon in longitude "
                            "and latitude, with closed rings of at least four positions."
                        ),
                        code="geometry",
                    ),
                    ValidationError(str(exc), code="geometry_detail"),
                ]
            ) from None


class AreaForm(CommitteeScopedForm):
    boundary = BoundaryField(label=gettext_lazy("Outline (GeoJSON)"), required=False)

    class Meta:
        model = Area
        fields = ["name", "slug", "committee", "boundary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # the committee: only those the user moderates
        committees = self.fields["committee"]
        if self.instance.pk:
            committees.disabled = True  # an area stays in its committee
            if area_in_running_vote(self.instance):
                for field in self.fields.values():
                    field.disabled = True
                    field.help_text = _(
                        "Voting has opened in a round of this area: the area can no longer change."
                    )

    def save(self, commit=True):
        area = super().save(commit=False)
        if not area.pk:
            area.kind = Area.Kind.LOCAL  # a committee's own area comes with the committee
        if commit:
            area.save()
            self.save_m2m()
        return area


class _AreaSave(ServiceSaveMixin):
    def service_save(self, *, apply):
        # Through the service: a frozen area is refused, and every save is audited.
        return area_save(actor=self.request.user, area=self.form.instance, apply=apply)


class AreaCreateView(_AreaSave, CreateView):
    pass


class AreaEditView(_AreaSave, ScopedEditView):
    pass


class AreaIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(address_count=Count("addresses"))


class AreaViewSet(ModelViewSet):
    model = Area
    icon = "site"
    menu_label = gettext_lazy("Areas")
    index_view_class = AreaIndexView
    add_view_class = AreaCreateView
    edit_view_class = AreaEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    form_fields = ["name", "slug", "committee", "boundary"]
    list_display = [
        "name",
        "committee",
        Column("kind", label=gettext_lazy("Kind"), accessor="get_kind_display"),
        Column("addresses", label=gettext_lazy("Addresses placed"), accessor="address_count"),
    ]
    list_filter = ["committee", "kind", "is_demo"]
    search_fields = ["name", "slug"]

    def get_form_class(self, for_update=False):
        return AreaForm


class AddressPolicy(ModelPermissionPolicy):
    """The address register is read-only here, for site administrators."""

    def user_has_permission(self, user, action):
        return is_signed_in(user) and user.is_superuser and action == "view"

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions)


register_permission_policy(Address, AddressPolicy(Address))


class AddressViewSet(ModelViewSet):
    model = Address
    icon = "home"
    menu_label = gettext_lazy("Addresses")
    list_display = ["__str__", "area", "longitude", "latitude"]
    list_filter = ["area", "postcode", "is_demo"]
    search_fields = ["street", "postcode"]
    inspect_view_enabled = True
    form_fields = ["street"]  # never edited: the permission policy allows viewing only
