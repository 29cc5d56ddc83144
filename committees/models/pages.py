"""Wagtail pages of the public site. Pages stay thin: fields, panels and selectors."""

from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from committees.forms import FindCommitteeForm
from committees.models.areas import Committee


def _selectors():
    # Import cycle: committees.selectors imports CommitteePage from committees.models, which is
    # still being built while this module runs, so the selectors are imported on first use.
    from committees import selectors

    return selectors


def _whats_open():
    # The same import cycle as committees.selectors above.
    from committees import whats_open

    return whats_open


# The committees a resident found on the home page, remembered for their next visit.
OWN_COMMITTEES_SESSION_KEY = "home_committees"


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["committees.CommitteePage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["districts"] = _selectors().districts_with_committees()
        context["committee_pages"] = _selectors().committee_pages_by_slug()
        form = FindCommitteeForm(request.GET or None)
        context["find_form"] = form
        own = request.session.get(OWN_COMMITTEES_SESSION_KEY, [])
        if form.is_bound and form.is_valid():
            context["lookup"] = form.cleaned_data["result"]
            context["lookup_committees"] = _selectors().committees_by_slugs(
                form.cleaned_data["result"].committee_slugs
            )
            own = [committee.slug for committee in context["lookup_committees"]]
            request.session[OWN_COMMITTEES_SESSION_KEY] = own
        whats_open = _whats_open()
        context["open_now"], context["open_later"] = whats_open.fold(whats_open.open_now(first=own))
        return context


class CommitteePage(RoutablePageMixin, Page):
    """A committee's own site: introduction, members, contact, news, meetings, rounds."""

    committee = models.OneToOneField(
        Committee, on_delete=models.PROTECT, related_name="page", verbose_name=_("committee")
    )
    intro = RichTextField(_("introduction"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_address = models.CharField(_("address"), max_length=255, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("committee"),
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldPanel("contact_phone"),
                FieldPanel("contact_address"),
            ],
            heading=_("Contact"),
        ),
        InlinePanel("members", label=_("Members")),
    ]
    parent_page_types = ["committees.HomePage"]
    subpage_types = ["committees.NewsPage"]

    class Meta:
        verbose_name = _("committee page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["upcoming_meetings"] = _selectors().meetings_upcoming(committee=self.committee)[:5]
        context["past_meetings"] = _selectors().meetings_past(committee=self.committee)[:5]
        context["rounds"] = _whats_open().rounds_open_first(
            _selectors().rounds_of(committee=self.committee)
        )
        context["news"] = NewsPage.objects.child_of(self).live().order_by("-date")[:5]
        return context

    @path("runder/<slug:round_slug>/", name="round")
    def round_view(self, request, round_slug):
        budget_round = get_object_or_404(
            _selectors().rounds_of(committee=self.committee), slug=round_slug
        )
        return TemplateResponse(
            request,
            "committees/round_detail.html",
            {
                "page": self,
                "self": self,
                "round": budget_round,
                "voting_areas": _selectors().round_areas(budget_round=budget_round),
            },
        )

    @path("moeder/<int:meeting_id>/", name="meeting")
    def meeting_view(self, request, meeting_id):
        meeting = _selectors().meetings_of(committee=self.committee).filter(pk=meeting_id).first()
        if meeting is None:
            raise Http404
        return TemplateResponse(
            request,
            "committees/meeting_detail.html",
            {"page": self, "self": self, "meeting": meeting},
        )


class CommitteeMember(Orderable):
    page = ParentalKey(CommitteePage, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=100, help_text=_("e.g. chair, member"))
    represents = models.CharField(
        _("represents"),
        max_length=200,
        blank=True,
        help_text=_("The association or party the member represents."),
    )

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("represents")]

    class Meta(Orderable.Meta):
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.name


class NewsPage(Page):
    date = models.DateField(_("date"))
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = RichTextField(_("text"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    parent_page_types = ["committees.CommitteePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
