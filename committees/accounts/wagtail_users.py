"""Wagtail's user admin, told about our e-mail login, display name and language."""

from wagtail.users.apps import WagtailUsersAppConfig


class UsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "committees.accounts.admin_views.UserViewSet"
