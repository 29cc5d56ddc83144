"""The account pages of our own, under /konto/ beside allauth's."""

from django.urls import path

from committees.accounts import views

urlpatterns = [
    path("mine-data/", views.my_data, name="my_data"),
]
