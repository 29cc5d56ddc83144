from django.urls import include, path

from voting import views

app_name = "voting"
urlpatterns = [
    path("runde/<int:round_id>/", views.ballot, name="ballot"),
    path("runde/<int:round_id>/kode/", views.ballot_with_code, name="ballot_code"),
    path("runde/<int:round_id>/kvittering/", views.receipt, name="receipt"),
    path("runde/<int:round_id>/resultat/", views.results, name="results"),
    path("runde/<int:round_id>/stemmesedler.pb", views.ballots_file, name="ballots_file"),
    path(
        "runde/<int:round_id>/eksport/<str:kind>.<str:fmt>",
        views.round_export,
        name="round_export",
    ),
    path("runde/<int:round_id>/foelg/", views.follow, name="follow"),
    path("statistik/", views.statistics_page, name="statistics"),
    path("statistik.csv", views.statistics_csv, name="statistics_csv"),
    path(
        "statistik/<slug:committee_slug>/",
        views.statistics_page,
        name="statistics_committee",
    ),
    path(
        "statistik/<slug:committee_slug>.csv",
        views.statistics_csv,
        name="statistics_committee_csv",
    ),
    path("", include("voting.identity.urls")),
    path("", include("voting.live.urls")),
    path("personale/", include("voting.codes.urls")),
    path("personale/", include("voting.paper.urls")),
]
