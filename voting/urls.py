from django.urls import include, path

from voting import views

app_name = "voting"
urlpatterns = [
    path("runde/<int:round_id>/", views.ballot, name="ballot"),
    path("runde/<int:round_id>/kode/", views.ballot_with_code, name="ballot_code"),
    path("runde/<int:round_id>/kvittering/", views.receipt, name="receipt"),
    path("runde/<int:round_id>/resultat/", views.results, name="results"),
    path("runde/<int:round_id>/stemmesedler.pb", views.ballots_file, name="ballots_file"),
    path("", include("voting.urls_identity")),
    path("", include("voting.urls_live")),
    path("personale/", include("voting.urls_staff_codes")),
    path("personale/", include("voting.urls_staff_paper")),
]
