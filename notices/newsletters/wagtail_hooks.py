"""Newsletters in the Wagtail admin: a snippet with preview, scoped to the committee's staff,
with "send a test to me" and "send now" beside each one (a confirmation page, then a POST)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, EditView, SnippetViewSet

from committees.models import BudgetRound, Committee
from committees.permissions import CommitteeScopedPolicy, committee_ids_for, is_moderator_of
from notices.newsletters import services
from notices.newsletters.models import Newsletter

register_permission_policy(Newsletter, CommitteeScopedPolicy(Newsletter))


class NewsletterForm(WagtailAdminModelForm):
    """Staff file a newsletter only under a committee, and a round, of their own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is not None and not user.is_superuser:
            mine = committee_ids_for(user)
            self.fields["committee"].queryset = Committee.objects.filter(pk__in=mine)
            self.fields["budget_round"].queryset = BudgetRound.objects.filter(committee_id__in=mine)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("audience") == "round" and not cleaned.get("budget_round"):
            self.add_error("budget_round", _("Choose the round whose participants get it."))
        round_ = cleaned.get("budget_round")
        committee = cleaned.get("committee")
        if round_ and committee and round_.committee_id != committee.pk:
            self.add_error("budget_round", _("Choose one of the committee's own rounds."))
        if self.instance.pk and self.instance.sent_at:
            raise ValidationError(_("A newsletter that has been sent cannot be changed."))
        return cleaned


class _OwnCommitteeOnly:
    """Edit and delete a newsletter of one's own committees only."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not is_moderator_of(self.request.user, obj.committee_id):
            raise PermissionDenied
        return obj


class NewsletterEditView(_OwnCommitteeOnly, EditView):
    pass


class NewsletterDeleteView(_OwnCommitteeOnly, DeleteView):
    pass


class NewsletterViewSet(SnippetViewSet):
    edit_view_class = NewsletterEditView
    delete_view_class = NewsletterDeleteView
    model = Newsletter
    icon = "mail"
    menu_label = gettext_lazy("Newsletters")
    add_to_admin_menu = True
    list_display = [
        "subject",
        "committee",
        "audience",
        "scheduled_at",
        "sent_at",
        Column("recipients", label=gettext_lazy("Recipients")),
    ]
    list_filter = ["committee", "audience"]
    search_fields = ["subject"]
    edit_handler = ObjectList(
        [
            FieldPanel("committee"),
            FieldPanel("subject"),
            FieldPanel("body"),
            FieldRowPanel([FieldPanel("audience"), FieldPanel("budget_round")]),
            FieldPanel("scheduled_at"),
        ],
        base_form_class=NewsletterForm,
    )

    def get_queryset(self, request):
        queryset = Newsletter.objects.select_related("committee")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(committee_id__in=committee_ids_for(request.user))


register_snippet(NewsletterViewSet)


def _newsletter_for(request, pk: int) -> Newsletter:
    newsletter = get_object_or_404(Newsletter.objects.select_related("committee"), pk=pk)
    if not is_moderator_of(request.user, newsletter.committee_id):
        raise PermissionDenied
    return newsletter


def _confirm(request, pk: int, *, action: str):
    newsletter = _newsletter_for(request, pk)
    if request.method == "POST":
        try:
            if action == "test":
                services.newsletter_test_send(user=request.user, newsletter=newsletter)
                messages.success(
                    request,
                    _("A test copy is on its way to %(email)s.") % {"email": request.user.email},
                )
            else:
                count = services.newsletter_send(newsletter=newsletter, user=request.user)
                messages.success(
                    request,
                    _("The newsletter is on its way to %(count)d people.") % {"count": count},
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("wagtailsnippets_newsletters_newsletter:list")
    return TemplateResponse(
        request,
        "newsletters/admin/confirm.html",
        {
            "newsletter": newsletter,
            "action": action,
            "recipients": services.audience_users(newsletter=newsletter).count(),
            "counts": services.newsletter_counts(newsletter=newsletter),
        },
    )


def newsletter_test_send(request, pk: int):
    return _confirm(request, pk, action="test")


def newsletter_send_now(request, pk: int):
    return _confirm(request, pk, action="send")


@hooks.register("register_admin_urls")
def newsletter_urls():
    return [
        path("newsletters/<int:pk>/test/", newsletter_test_send, name="newsletter_test_send"),
        path("newsletters/<int:pk>/send/", newsletter_send_now, name="newsletter_send_now"),
    ]


@hooks.register("register_snippet_listing_buttons")
def newsletter_buttons(snippet, user, next_url=None):
    if not isinstance(snippet, Newsletter) or not is_moderator_of(user, snippet.committee_id):
        return []
    buttons = [
        Button(
            _("Send a test to me"),
            reverse("newsletter_test_send", args=[snippet.pk]),
            icon_name="mail",
            priority=30,
        )
    ]
    if snippet.sent_at is None:
        buttons.append(
            Button(
                _("Send now"),
                reverse("newsletter_send_now", args=[snippet.pk]),
                icon_name="mail",
                priority=31,
            )
        )
    else:
        buttons.append(
            Button(
                _("Sent, failed, unsubscribed"),
                reverse("newsletter_send_now", args=[snippet.pk]),
                icon_name="list-ul",
                priority=31,
            )
        )
    return buttons


@hooks.register("notices_due")
def newsletters_due(*, now) -> int:
    """Scheduled newsletters go out with the notices scheduler's run (`notices_schedule`)."""
    return services.newsletters_send_due(now=now)
