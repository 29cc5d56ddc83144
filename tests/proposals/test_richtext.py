"""The description cleaner against markup that a browser parses differently from a naive cleaner.

The check does not trust any parser: in what the cleaner returns, every "<" must open or close
one of the allowed elements with only allowed, double-quoted attributes. Then no browser can
find a comment, a CDATA section, a foreign (svg/math) element or an attribute the cleaner did
not mean to keep, whatever its parser does with the rest.
"""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proposals.richtext import (
    ALLOWED_TAGS,
    clean_description,
    description_as_text,
    sanitise_html,
    text_as_html,
)

TAG = re.compile(
    r"<(/?)([a-z0-9]+)((?:\s+[a-z]+=\"[^\"<>]*\")*)\s*/?>",
)
ATTRIBUTE = re.compile(r'([a-z]+)="([^"]*)"')


def assert_only_allowed_markup(html: str) -> None:
    rest = html
    position = 0
    while (start := rest.find("<", position)) != -1:
        match = TAG.match(rest, start)
        assert match, f"a '<' that opens no allowed element: {rest[start : start + 40]!r}"
        closing, name, attributes = match.groups()
        assert name in ALLOWED_TAGS, name
        for attribute, value in ATTRIBUTE.findall(attributes):
            if name == "a" and attribute == "href":
                assert re.match(r"(https?://|mailto:)", value), value
            else:
                assert (name, attribute) == ("a", "rel"), (name, attribute)
        position = match.end()
    assert "javascript:" not in html.lower()


ATTACKS = [
    pytest.param("<p>a<![CDATA[</p><script>alert(1)</script>]]></p>", id="cdata-script"),
    pytest.param(
        '<![CDATA[<meta http-equiv="refresh" content="0;url=https://evil.example">]]>',
        id="cdata-meta-refresh",
    ),
    pytest.param('<meta http-equiv="refresh" content="0;url=https://evil.example">', id="meta"),
    pytest.param("<p>x</p><!--<p>--><script>alert(1)</script>-->", id="comment-close"),
    pytest.param("<!--><script>alert(1)</script>-->", id="comment-abrupt"),
    pytest.param("<!--!><script>alert(1)</script>", id="comment-bang"),
    pytest.param("<? x ><script>alert(1)</script>", id="processing-instruction"),
    pytest.param("<svg><style><img src=x onerror=alert(1)></style></svg>", id="svg-style"),
    pytest.param("<svg><p><style><img src=x onerror=alert(1)>", id="svg-p-style"),
    pytest.param(
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", id="math-mglyph"
    ),
    pytest.param(
        '<math><mi><a href="https://x"><style><!--</style><img src=x onerror=alert(1)>-->',
        id="math-style-comment",
    ),
    pytest.param('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', id="noscript"),
    pytest.param('<a href="jav&#x09;ascript:alert(1)">x</a>', id="javascript-entity-tab"),
    pytest.param('<a href=" javascript:alert(1)">x</a>', id="javascript-space"),
    pytest.param('<a href="JaVaScRiPt:alert(1)">x</a>', id="javascript-case"),
    pytest.param('<a href="data:text/html,<script>alert(1)</script>">x</a>', id="data-url"),
    pytest.param('<a href="//evil.example/">x</a>', id="protocol-relative"),
    pytest.param('<p style="background:url(javascript:alert(1))">x</p>', id="style-attribute"),
    pytest.param("<style>p{display:none}</style><p>x</p>", id="style-element"),
    pytest.param('<p onclick="alert(1)" onmouseover=alert(1)>x</p>', id="event-handler"),
    pytest.param('<form action="https://evil.example"><button>Go</button></form>', id="form"),
    pytest.param('<iframe src="https://evil.example"></iframe>', id="iframe"),
    pytest.param('<base href="https://evil.example/">', id="base"),
    pytest.param('<img src=x onerror="alert(1)">', id="img"),
    pytest.param('<p id="content" class="x" title="t">x</p>', id="clobbering-attributes"),
    pytest.param("<textarea><script>alert(1)</script></textarea>", id="textarea"),
    pytest.param("<title><script>alert(1)</script></title>", id="title"),
    pytest.param("<xmp><script>alert(1)</script></xmp>", id="xmp"),
    pytest.param("<plaintext><script>alert(1)</script>", id="plaintext"),
    pytest.param("<p>\x00<script>alert(1)</script></p>", id="nul"),
    pytest.param("<scr<script>ipt>alert(1)</script>", id="nested-script"),
    pytest.param('<a href="https://ok.example" target="_blank">x</a>', id="target"),
]


@pytest.mark.parametrize("payload", ATTACKS)
def test_nothing_but_the_allowed_markup_survives(payload):
    cleaned = clean_description(payload)
    assert_only_allowed_markup(cleaned)
    assert clean_description(cleaned) == cleaned  # a second save changes nothing
    assert sanitise_html(cleaned) == cleaned  # and neither does cleaning for output


def test_cdata_section_becomes_nothing_a_browser_would_run():
    cleaned = clean_description("<p>a<![CDATA[</p><script>alert(1)</script>]]></p>")
    assert "<script" not in cleaned and "CDATA" not in cleaned


def test_allowed_formatting_is_kept():
    cleaned = clean_description(
        "<p>Hej <b>du</b> <strong>og</strong> <em>I</em>, <i>alle</i></p>"
        "<ul><li>en</li></ul><ol><li>to</li></ol><h3>Overskrift</h3>"
        '<p><a href="https://kk.dk/x?a=1&amp;b=2">link</a><br>ny linje</p>'
    )
    assert cleaned == (
        "<p>Hej <b>du</b> <strong>og</strong> <em>I</em>, <i>alle</i></p>"
        "<ul><li>en</li></ul><ol><li>to</li></ol><h3>Overskrift</h3>"
        '<p><a href="https://kk.dk/x?a=1&amp;b=2" rel="noopener noreferrer nofollow ugc">'
        "link</a><br>ny linje</p>"
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1 < 2 & 3 > 2", "<p>1 &lt; 2 &amp; 3 &gt; 2</p>"),
        ("Linje et\nlinje to\n\nNyt afsnit", "<p>Linje et<br>linje to</p><p>Nyt afsnit</p>"),
        ("Skriv &amp; som &amp;", "<p>Skriv &amp;amp; som &amp;amp;</p>"),
        ("<3 til alle", "<p>&lt;3 til alle</p>"),
        ("<p>a &lt; b</p>", "<p>a &lt; b</p>"),
        ("<x>a < b", "<p>a &lt; b</p>"),
        ("", ""),
        ("  \n\n ", ""),
    ],
)
def test_what_is_stored(typed, stored):
    assert clean_description(typed) == stored
    assert clean_description(stored) == stored


@pytest.mark.parametrize(
    "text",
    [
        "a & b < c > d",
        "&amp; &lt;b&gt; stays as typed",
        "if x<y then <b> is not bold",
        "Linje et\nlinje to\n\nNyt afsnit med ' og \"",
        "<!-- not a comment -->",
        "tab\tinside",
    ],
)
def test_plain_text_comes_back_exactly(text):
    stored = clean_description(text_as_html(text))
    assert description_as_text(stored) == text
    assert clean_description(text_as_html(description_as_text(stored))) == stored


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/!-[]?&;=\"' \nabpsvgmathCDAT:#x0")), max_size=60))
def test_cleaning_is_idempotent_and_leaves_only_allowed_markup(text):
    cleaned = clean_description(text)
    assert_only_allowed_markup(cleaned)
    assert clean_description(cleaned) == cleaned


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_plain_text_survives_the_plain_text_editor(text):
    text = description_as_text(clean_description(text_as_html(text)))  # normalised once
    stored = clean_description(text_as_html(text))
    assert description_as_text(stored) == text
