"""The admin's committee scoping, shared by every app's admin: a moderator files things only
under a committee they moderate, and lists, edits, deletes and sees the history of only their own
committees' objects (the model's permission policy decides, instance by instance). Create and
edit views whose saves are audited save through the app's service (`ServiceSaveMixin`)."""

from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import DeleteView, EditView, IndexView
from wagtail.admin.views.generic.history import HistoryView

from committees.models import Committee
from committees.permissions import committee_ids_for
from frontend.forms import add_service_errors


class CommitteeScopedForm(WagtailAdminModelForm):
    """A moderator can only file things under a committee they moderate."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        field = self.fields.get("committee")
        if field is not None and user is not None and not user.is_superuser:
            field.queryset = Committee.objects.filter(pk__in=committee_ids_for(user))
        # A meeting shows a round of its own committee (`Meeting.clean` checks which one).
        shown = self.fields.get("budget_round")
        if shown is not None and user is not None and not user.is_superuser:
            shown.queryset = shown.queryset.filter(committee_id__in=committee_ids_for(user))


class CommitteeScopedObjectMixin:
    """Edit, delete and history only for objects of the user's own committees."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        action = getattr(self, "permission_required", None) or "change"
        if not self.permission_policy.user_has_permission_for_instance(
            self.request.user, action, obj
        ):
            raise PermissionDenied
        return obj


class ScopedIndexView(IndexView):
    def get_base_queryset(self):
        allowed = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["change", "delete", "view"]
        )
        return super().get_base_queryset().filter(pk__in=allowed.values("pk"))


class ScopedEditView(CommitteeScopedObjectMixin, EditView):
    pass


class ScopedDeleteView(CommitteeScopedObjectMixin, DeleteView):
    pass


class ScopedHistoryView(CommitteeScopedObjectMixin, HistoryView):
    pass


class ServiceSaveMixin:
    """A Wagtail create or edit view that saves through the app's service, which may refuse.

    Define `service_save(apply)`: call the service, handing it `apply` (Wagtail's own save) to
    run inside its transaction. A refusal (`ValidationError`) rolls the save back and shows on
    the form, each message on its field where the service names one.
    """

    def service_save(self, *, apply):
        raise NotImplementedError

    def save_instance(self):
        return self.service_save(apply=super().save_instance)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
