"""Sign-up with mandatory e-mail verification, login, logout and password reset, da and en."""

import re
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PASSWORD = "en-god-adgangskode-2026"


def _url(name: str, language: str) -> str:
    with translation.override(language):
        return reverse(name)


def _link_in(message) -> str:
    match = re.search(r"https?://[^\s]+/konto/[^\s]+", message.body)
    assert match, message.body
    return match.group(0).split("testserver", 1)[-1]


@pytest.mark.parametrize(
    ("language", "subject_word", "prefix"),
    [("da", "bekræft", "/konto/"), ("en", "confirm", "/en/konto/")],
)
def test_signup_requires_verified_email_then_logs_in(
    client, django_user_model, language, subject_word, prefix
):
    signup_url = _url("account_signup", language)
    assert signup_url.startswith(prefix)
    response = client.post(
        signup_url,
        {
            "email": "ny.beboer@example.dk",
            "display_name": "Ny Beboer",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    user = django_user_model.objects.get(email="ny.beboer@example.dk")
    assert user.display_name == "Ny Beboer"
    assert user.preferred_language == language
    assert not EmailAddress.objects.get(user=user).verified

    # Unverified: logging in sends you to "verify your e-mail" instead.
    client.logout()
    response = client.post(
        _url("account_login", language), {"login": user.email, "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session

    assert len(mail.outbox) >= 1
    message = mail.outbox[0]
    assert subject_word in message.subject.lower()
    assert message.to == ["ny.beboer@example.dk"]
    confirm = _link_in(message)
    assert client.get(confirm).status_code == HTTPStatus.OK
    response = client.post(confirm)
    assert response.status_code == HTTPStatus.FOUND
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)

    client.post(_url("account_logout", language))
    assert "_auth_user_id" not in client.session
    client.post(_url("account_login", language), {"login": user.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_errors_are_clear_and_keep_what_was_typed(client, django_user_model):
    response = client.post(
        reverse("account_signup"),
        {"email": "ikke-en-adresse", "display_name": "Karen", "password1": "a", "password2": "b"},
    )
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Karen" in html  # nothing typed is lost
    assert "gyldig" in html.lower()  # Danish: "Indtast en gyldig e-mailadresse."
    assert not django_user_model.objects.exists()


def test_password_reset_sends_a_working_link(client, django_user_model):
    user = django_user_model.objects.create_user(email="glemsom@example.dk", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == HTTPStatus.FOUND
    link = _link_in(mail.outbox[-1])
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    new_password = "et-helt-nyt-kodeord-42"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == HTTPStatus.FOUND
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_reset_for_unknown_address_does_not_reveal_it(client):
    response = client.post(reverse("account_reset_password"), {"email": "ukendt@example.dk"})
    assert response.status_code == HTTPStatus.FOUND
    assert all("ukendt@example.dk" not in m.body or "konto" in m.body for m in mail.outbox)


def test_emails_are_written_in_the_users_language(client, django_user_model):
    user = django_user_model.objects.create_user(
        email="english@example.dk", password=PASSWORD, preferred_language="en"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.post(reverse("account_reset_password"), {"email": user.email})  # from the Danish page
    assert "password" in mail.outbox[-1].subject.lower()


def test_email_login_is_case_insensitive_and_unique(django_user_model):
    django_user_model.objects.create_user(email="Sag@Example.dk", password=PASSWORD)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        django_user_model.objects.create_user(email="sag@example.DK".lower(), password=PASSWORD)
