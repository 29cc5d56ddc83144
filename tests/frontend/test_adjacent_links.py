"""No run-together links: two links with nothing between them read as one ("Forslag1Forslag2")
to the eye and, in some screen readers, to the ear.

The main public pages are rendered in both languages and parsed with the standard library's
HTML parser: between the end of one `<a>` and the start of the next there must be text (a
space counts) or a block boundary (a new list item, paragraph, cell, line break).
"""

from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.urls import reverse

from committees.models import Area
from proposals.models import State
from tests import factories
from tests.committees.test_maps import _outline
from tests.voting.results.test_results import published  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

# Elements that start or end a block of their own: links either side of one are not side by side.
BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "section", "summary", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip


class RunTogetherLinks(HTMLParser):
    """Pairs of links with no text and no block boundary between them."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self.depth = 0  # inside a link
        self.text = ""  # the current link's text, then the last one's
        self.after: str | None = None  # the text since the last link closed, None: a boundary

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href") is not None:
            if self.depth == 0 and self.after == "":
                self.found.append((self.text.strip(), self.getpos()))
            self.depth += 1
            self.text = ""
        elif tag in BLOCKS:
            self.after = None

    def handle_endtag(self, tag):
        if tag == "a" and self.depth:
            self.depth -= 1
            if self.depth == 0:
                self.after = ""
        elif tag in BLOCKS:
            self.after = None

    def handle_data(self, data):
        if self.depth:
            self.text += data
        elif self.after is not None:
            self.after += data


def _run_together(html: str) -> list:
    parser = RunTogetherLinks()
    parser.feed(html)
    return parser.found


def test_the_check_finds_links_side_by_side_and_passes_separated_ones():
    assert _run_together('<p><a href="/1">Et</a><a href="/2">To</a></p>')
    assert _run_together('<p><a href="/1">Et</a><span></span><a href="/2">To</a></p>')
    assert not _run_together('<p><a href="/1">Et</a> <a href="/2">To</a></p>')
    assert not _run_together('<p><a href="/1">Et</a> · <a href="/2">To</a></p>')
    assert not _run_together('<ul><li><a href="/1">Et</a></li><li><a href="/2">To</a></li></ul>')


@pytest.fixture
def pages(client, committee, published):  # noqa: F811
    Area.objects.filter(committee=committee, kind="committee").update(boundary=_outline())
    ideas = factories.budget_round(committee=committee, phase="ideas", title="Idéer 2027")
    first = factories.proposal(
        budget_round=ideas, state=State.SUBMITTED, title="Bænke", latitude=55.70, longitude=12.575
    )
    factories.proposal(
        budget_round=ideas, state=State.SUBMITTED, title="Træer", latitude=55.71, longitude=12.59
    )
    resident = factories.user()
    factories.proposal(budget_round=ideas, author=resident, title="Min kladde")
    return {
        "home": "/",
        "committee": committee.page.url,
        "proposals": reverse("proposals:list", args=[ideas.pk]),
        "proposal map": reverse("proposals:list", args=[ideas.pk]) + "?view=map",
        "proposal": reverse("proposals:detail", args=[first.pk]),
        "results": reverse("voting:results", args=[published.pk]),
        "mine": reverse("my_borgerbudget"),
        "resident": resident,
    }


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_main_pages_have_no_run_together_links(client, pages, language):
    client.force_login(pages.pop("resident"))
    problems = {}
    for name, path in pages.items():
        url = ("/en" + path) if language == "en" else path
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, (name, url)
        if found := _run_together(response.content.decode()):
            problems[name] = found
    assert not problems, problems
