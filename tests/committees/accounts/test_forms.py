"""The password asked again before an account is deleted."""

import pytest

from committees.accounts.forms import PasswordConfirmForm

pytestmark = pytest.mark.django_db

PASSWORD = "en-god-adgangskode-2026"


def test_password_confirm_accepts_only_the_persons_own_password(django_user_model):
    user = django_user_model.objects.create_user(email="slet@example.dk", password=PASSWORD)

    wrong = PasswordConfirmForm({"password": "forkert"}, user=user)
    assert not wrong.is_valid()
    assert "password" in wrong.errors

    right = PasswordConfirmForm({"password": PASSWORD}, user=user)
    assert right.is_valid()
    assert right.cleaned_data["password"] == ""  # never kept


def test_password_confirm_unbound_is_not_valid(django_user_model):
    user = django_user_model.objects.create_user(email="kig@example.dk", password=PASSWORD)
    form = PasswordConfirmForm(None, user=user)
    assert not form.is_bound and not form.is_valid()
