"""Building a message from a delivery, and a file backend that never writes one twice.

Each message is rendered in the recipient's language at send time (once per language for a
batch of the same notice), carries a Message-ID derived from the delivery's key (a resend after
a crash is the same message, and can be recognised as such), and the one-click unsubscribe
headers of RFC 2369 and RFC 8058; allauth's messages come rendered and carry no unsubscribe.
"""

import hashlib
import json
import os
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from notices.kinds import ALWAYS


def site_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def message_id(key: str) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def _render(template: str, context: dict) -> tuple[str, str]:
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    return subject, body


# A notice to many people is the same text for all who share a language, but for the name in
# the greeting and the unsubscribe link. So a batch renders it once per language (and with or
# without a name) with markers in their place, and puts each person's name and link in. A
# template that reads anything else of the recipient, or changes a marker (escapes or filters
# it), is rendered for each person instead, as before.
NAME_MARK = "\x00name&\x00"
LINK_MARK = "\x00unsubscribe&\x00"
TOKEN_MARK = "TOKENMARK"


class _Personal(Exception):
    """The template read something of the recipient other than the name."""


class _Recipient:
    """Stands in for the user while a shared text is rendered: the name, as a marker."""

    def __init__(self, *, named: bool):
        self.display_name = NAME_MARK if named else ""

    def __getattr__(self, name):
        raise _Personal(name)


def _shared_render(*, delivery, context: dict, language: str, cache: dict):
    """(subject, body with footer) with markers, or None when the template is personal."""
    named = bool(delivery.user.display_name)
    key = (
        "render",
        delivery.template,
        language,
        named,
        json.dumps(delivery.context, sort_keys=True),
    )
    if key not in cache:
        shared = {**context, "user": _Recipient(named=named), "notice_unsubscribe_url": LINK_MARK}
        try:
            subject, body = _render(delivery.template, shared)
            footer = render_to_string("notices/email/footer.txt", shared)
        except _Personal:
            cache[key] = None
        else:
            cache[key] = (subject, body.rstrip() + "\n\n" + footer)
    return cache[key]


def _personal(text: str, *, user, unsubscribe_url: str) -> str | None:
    text = text.replace(NAME_MARK, user.display_name).replace(LINK_MARK, unsubscribe_url)
    return None if "\x00" in text else text


def _security_message(*, delivery, connection) -> EmailMessage:
    """An allauth message, as rendered in its request; no footer, no unsubscribe."""
    stored = delivery.context
    message = EmailMultiAlternatives(
        subject=stored["subject"],
        body=stored["body"],
        from_email=stored["from"],
        to=[delivery.address or delivery.user.email],
        connection=connection,
        headers={"Message-ID": message_id(delivery.key), "Content-Language": stored["language"]},
    )
    message.content_subtype = stored.get("content_subtype", "plain")
    if stored.get("html"):
        message.attach_alternative(stored["html"], "text/html")
    return message


def message_build(*, delivery, connection=None, thawed: dict | None = None) -> EmailMessage:
    """`thawed` is a batch's cache: contexts read back from the database (a fan-out's deliveries
    share one), the texts rendered once per language, the links' shapes."""
    from notices import services  # import cycle: services imports this module

    if delivery.kind in ALWAYS:
        return _security_message(delivery=delivery, connection=connection)
    cache = thawed if thawed is not None else {}
    user = delivery.user
    language = user.preferred_language or settings.LANGUAGE_CODE
    token = services.unsubscribe_token(user=user, kind=delivery.kind)
    with translation.override(language):
        if ("links", language) not in cache:
            cache[("links", language)] = (
                site_url() + reverse("notices:unsubscribe", args=[TOKEN_MARK]),
                site_url() + reverse("notices:preferences"),
            )
        unsubscribe_shape, preferences_url = cache[("links", language)]
        unsubscribe_url = unsubscribe_shape.replace(TOKEN_MARK, token)
        context = {
            **_thaw(delivery.context, cache),
            "user": user,
            "site_url": site_url(),
            "notice_unsubscribe_url": unsubscribe_url,
            "notice_preferences_url": preferences_url,
            "kind_label": delivery.get_kind_display(),
        }
        subject = body = None
        if delivery.template != "notices/email/digest":
            shared = _shared_render(
                delivery=delivery, context=context, language=language, cache=cache
            )
            if shared is not None:
                subject, body = (
                    _personal(text, user=user, unsubscribe_url=unsubscribe_url) for text in shared
                )
        if subject is None or body is None:
            if delivery.template == "notices/email/digest":
                context["items"] = [
                    _render(item.template, {**context, **services.context_thaw(item.context)})
                    for item in delivery.digest_items()
                ]
            subject, body = _render(delivery.template, context)
            body = body.rstrip() + "\n\n" + render_to_string("notices/email/footer.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[user.email],
        connection=connection,
        headers={
            "Message-ID": message_id(delivery.key),
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": language,
        },
    )


def _thaw(context: dict, cache: dict) -> dict:
    from notices import services  # import cycle: services imports this module

    key = json.dumps(context, sort_keys=True)
    if key not in cache:
        cache[key] = services.context_thaw(context)
    return cache[key]


class IdempotentFileBackend(BaseEmailBackend):
    """One file per message, named by its Message-ID, and never written twice.

    A message sent again (a worker died after sending and before marking it sent) finds its
    file there and is counted as a repeat, not written twice: the embedded default's stand-in
    for an outgoing mail server that drops a Message-ID it already accepted.
    """

    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_path = Path(file_path or settings.EMAIL_FILE_PATH)
        self.file_path.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages) -> int:
        written = 0
        for message in email_messages:
            mid = message.extra_headers.get("Message-ID") or message.message()["Message-ID"]
            name = hashlib.sha256(mid.encode()).hexdigest() + ".eml"
            final = self.file_path / name
            partial = self.file_path / f".{name}.{os.getpid()}.partial"
            partial.write_bytes(message.message().as_bytes())
            try:
                # A link appears whole or not at all, and never replaces a file that is there.
                os.link(partial, final)
            except FileExistsError:
                with open(self.file_path / "repeats.log", "a") as log:
                    log.write(mid + "\n")
                continue
            finally:
                partial.unlink()
            written += 1
        return written
