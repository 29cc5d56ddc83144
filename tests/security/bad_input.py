"""Shared pieces of the bad-input catalogue (tests/security/test_bad_input_*.py): payloads, URL
helpers, crafted files and the two-committee `World` that tampered ids and CSRF-less POSTs
are tried against.

The catalogue is split by topic, one file each; every case is a parametrized row or a single
test there, and pytest counts them: no file keeps a total of its own.
"""

import io
import re
from http import HTTPStatus

from django.urls import reverse
from django.utils import translation
from PIL import Image

from proposals import services as proposal_services
from proposals.models import Comment, Proposal, Support
from tests import factories
from voting.models import Ballot, RoundResult

SCRIPT = '<script>alert("x")</script>'
ATTRIBUTE_BREAK = '"><img src=x onerror=alert(1)>'
form_data = factories.proposal_form_data


def en(name, *args):
    """A URL under /en/, where messages are in English, the source language."""
    with translation.override("en"):
        return reverse(name, args=args)


def create_url(budget_round, english=True):
    if english:
        return en("proposals:create", budget_round.pk)
    return reverse("proposals:create", args=[budget_round.pk])


def problems(html: str) -> list[str]:
    """The error texts of a page, for assertion messages."""
    return re.findall(r'class="[^"]*(?:alert-text|error)[^"]*"[^>]*>(.*?)</', html, re.S)


def shows_an_error(html: str) -> bool:
    return 'aria-invalid="true"' in html or "alert-error" in html


def jpeg(size=(32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, "JPEG")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, "GIF")
    return out.getvalue()


PLAIN_PDF = factories.one_page_pdf(width=200, height=200)


def multipart(fields: dict, files: list[tuple[str, bytes, bytes]]) -> tuple[bytes, str]:
    """A multipart body built by hand, so file names reach the server exactly as given."""
    boundary = "----catalogue-boundary-5f1c"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode()
            + b"\r\n"
        )
    for field, disposition_name, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '.encode()
            + disposition_name
            + b"\r\nContent-Type: application/octet-stream\r\n\r\n"
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def truncated_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").save(out, "JPEG")
    return out.getvalue()[:1500]


class World:
    """Two committees, each with rounds and proposals; `me` is the signed-in resident."""

    def __init__(self):
        self.committee = factories.committee("Østerbro Lokaludvalg")
        self.foreign_committee = factories.committee("Vesterbro Lokaludvalg", district_name="Vest")
        self.ideas = factories.ideas_round(committee=self.committee)
        self.voting = factories.budget_round(
            committee=self.committee, phase="voting", ballot_style="approval"
        )
        self.results = factories.budget_round(committee=self.committee, phase="results")
        self.me = factories.user()
        self.someone = factories.user()
        self.others_draft = factories.proposal(
            budget_round=self.ideas, author=self.someone, state="draft", title="Fremmed kladde"
        )
        self.others_submitted = factories.proposal(
            budget_round=self.ideas, author=self.someone, state="submitted", title="Fremmed"
        )
        self.my_submitted = factories.proposal(
            budget_round=self.ideas, author=self.me, state="submitted", title="Min"
        )
        self.rejected = factories.proposal(budget_round=self.ideas, state="rejected")
        self.on_ballot = factories.proposal(budget_round=self.voting, state="feasible")
        self.my_on_ballot = factories.proposal(
            budget_round=self.voting, author=self.me, state="feasible"
        )
        self.result_project = factories.proposal(
            budget_round=self.results, state="feasible", estimated_cost=1_000
        )
        self.comment = proposal_services.comment_add(
            author=self.someone, proposal=self.others_submitted, body="Dumt forslag!"
        )
        # A moderator of the *other* committee, with a queue of their own.
        foreign_round = factories.budget_round(committee=self.foreign_committee, phase="ideas")
        self.foreign_submitted = factories.proposal(budget_round=foreign_round, state="submitted")
        self.foreign_moderator = factories.moderator(committee=self.foreign_committee)

    def snapshot(self) -> dict:
        return {
            "proposals": sorted(
                Proposal.objects.values_list("pk", "title", "state", "support_count")
            ),
            "supports": Support.objects.count(),
            "comments": sorted(Comment.objects.values_list("pk", "body", "hidden")),
            "ballots": Ballot.objects.count(),
            "results": RoundResult.objects.count(),
            "schedule": [
                (r.pk, r.voting_end, r.review_end) for r in type(self.ideas).objects.order_by("pk")
            ],
        }


def admin_denied(response) -> bool:
    if response.status_code == HTTPStatus.FORBIDDEN:
        return True
    # Wagtail answers a refused admin page with a redirect to the dashboard and a message.
    return response.status_code == HTTPStatus.FOUND and response["Location"] == "/admin/"
