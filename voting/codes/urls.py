"""Staff pages for one-time voting codes: generate a batch, download it as CSV or PDF."""

from django.urls import path

from voting.codes import views as staff_codes

urlpatterns = [
    path("runde/<int:round_id>/koder/", staff_codes.codes, name="staff_codes"),
    path(
        "runde/<int:round_id>/koder/breve/",
        staff_codes.letters_from_roll,
        name="staff_codes_letters",
    ),
]
