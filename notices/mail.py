"""Building a message from a delivery, and a file backend that never writes one twice.

Each message is rendered in the recipient's language at send time, carries a Message-ID derived
from the delivery's key (a resend after a crash is the same message, and can be recognised as
such), and the one-click unsubscribe headers of RFC 2369 and RFC 8058.
"""

import hashlib
import json
import os
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def site_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def message_id(key: str) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def _render(template: str, context: dict) -> tuple[str, str]:
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    return subject, body


def message_build(*, delivery, connection=None, thawed: dict | None = None) -> EmailMessage:
    """`thawed` caches contexts read back from the database: a fan-out's deliveries share one."""
    from notices import services  # import cycle: services imports this module

    user = delivery.user
    language = user.preferred_language or settings.LANGUAGE_CODE
    token = services.unsubscribe_token(user=user, kind=delivery.kind)
    with translation.override(language):
        unsubscribe_url = site_url() + reverse("notices:unsubscribe", args=[token])
        context = {
            **_thaw(delivery.context, thawed if thawed is not None else {}),
            "user": user,
            "site_url": site_url(),
            "notice_unsubscribe_url": unsubscribe_url,
            "notice_preferences_url": site_url() + reverse("notices:preferences"),
            "kind_label": delivery.get_kind_display(),
        }
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
