from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from committees import views as committee_views
from committees.accounts import views as account_views
from pbsite import health
from pbsite import views as site_views
from voting.live import views as views_live

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("i18n/setlang/", site_views.set_language, name="set_language"),
    path(
        "kalender/<slug:committee_slug>.ics",
        committee_views.committee_calendar,
        name="committee_calendar",
    ),
    path("api/v1/", include("pbsite.api")),
    # Short links for the QR code on the live display: typed from the back of the hall.
    path("m/<int:meeting_id>/", views_live.meeting_short, name="live_meeting_short"),
    path("r/<int:round_id>/", views_live.round_short, name="live_round_short"),
    # The local test identity provider: answers 404 unless DEV_IDENTITY_PROVIDER is on.
    path("dev/idp/", include("voting.identity.devprovider_urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

# Danish lives at /, English under /en/.
urlpatterns += i18n_patterns(
    # Before allauth's, so that our own account pages are found first.
    path("konto/", include("committees.accounts.urls")),
    path("konto/", include("allauth.urls")),
    path("forslag/", include("proposals.urls")),
    path("forslag/", include("proposals.following.urls")),
    path("projekter/", include("proposals.tracking.urls")),
    path("afstemning/", include("voting.urls")),
    path("mine-emails/", include("notices.urls")),
    path("mit-borgerbudget/", account_views.my_borgerbudget, name="my_borgerbudget"),
    path("privatliv/", site_views.privacy_statement, name="privacy"),
    path("tilgaengelighed/", site_views.accessibility_statement, name="accessibility"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
