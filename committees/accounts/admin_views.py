"""Wagtail's user admin with our fields: the forms add them, the templates show them (Wagtail's own
templates render only the fields they know, so without these a saved user silently kept them)."""

from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from committees.accounts.forms import WagtailUserCreationForm, WagtailUserEditForm


class UserViewSet(WagtailUserViewSet):
    create_template_name = "committees/accounts/admin/user_create.html"
    edit_template_name = "committees/accounts/admin/user_edit.html"

    def get_form_class(self, for_update=False):
        return WagtailUserEditForm if for_update else WagtailUserCreationForm
