"""The admin speaks the person's own language.

Wagtail renders its admin in `UserProfile.preferred_language`, and when that is blank in the
language of the request, which on /admin/ (no language prefix) comes from the browser: an
English-speaking moderator with a Danish browser would get a Danish admin. The account's
`preferred_language` (set at sign-up, changed by the language switch) is the one answer, so it is
copied into Wagtail's profile whenever it is saved and at every sign-in (accounts made before
this existed).
"""

from wagtail.users.models import UserProfile


def admin_language_sync(*, user) -> None:
    language = user.preferred_language
    profile = UserProfile.get_for_user(user)
    if profile.preferred_language != language:
        profile.preferred_language = language
        profile.save(update_fields=["preferred_language"])


def user_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    """On a staff member's language change, and when someone becomes staff (a role granted)."""
    if raw or not instance.is_staff:
        return  # residents never see the admin
    if update_fields is not None and not {"preferred_language", "is_staff"} & set(update_fields):
        return
    admin_language_sync(user=instance)


def user_logged_in(sender, request, user, **kwargs):
    admin_language_sync(user=user)
