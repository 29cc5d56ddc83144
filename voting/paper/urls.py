"""Staff pages at a polling station: check-in on the voter roll, paper ballot entry."""

from django.urls import path

from voting.paper import views as staff_paper

urlpatterns = [
    path("valgsted/<int:station_id>/", staff_paper.station, name="paper_station"),
    path("valgsted/<int:station_id>/tablet/<int:pk>/", staff_paper.tablet, name="paper_tablet"),
    path("valgsted/<int:station_id>/papir/", staff_paper.key, name="paper_key"),
    path("valgsted/<int:station_id>/papir/<int:pk>/", staff_paper.confirm, name="paper_confirm"),
    path(
        "runde/<int:round_id>/valgsteder/",
        staff_paper.reconciliation,
        name="paper_reconciliation",
    ),
]
