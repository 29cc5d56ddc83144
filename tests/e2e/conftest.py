"""Browser journeys: Playwright drives Debian's Chromium against the real ASGI server.

Never a downloaded browser (`playwright install` is not used): the browser is /usr/bin/chromium,
or $CHROMIUM. Without it the journeys are skipped with the reason; with CI=true or
REQUIRE_BROWSER=1 they fail instead.

The sync Playwright API marks an asyncio event loop as running in the main thread for as long as
Playwright is started. Two consequences, handled here:
- Django's async-unsafe check would turn every ORM call in that thread (in a journey, and in the
  database fixtures' teardown) into SynchronousOnlyOperation. DJANGO_ALLOW_ASYNC_UNSAFE is set
  while the browser is open and removed when it closes, so the rest of the suite keeps the check.
  Prefer doing ORM work in fixtures, before the page is used.
- An async test run after it would find "another loop running". So the browser lives for the
  `tests/e2e` package (one launch for every journey) rather than the whole session, and is closed
  before the next package's tests start.
"""

import email
import os
from collections.abc import Callable, Iterator
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No internet here: without these Chromium keeps trying to reach Google's services.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = any(
    os.environ.get(name, "").lower() in {"1", "true", "yes"} for name in ("CI", "REQUIRE_BROWSER")
)
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_BLOCKING_IMPACTS = {"serious", "critical"}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
TIMEOUT_MS = 15_000


def _missing(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"CI=true or REQUIRE_BROWSER=1, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing(
            f"browser journeys need Chromium at {CHROMIUM} (apt-get install chromium); "
            "no downloaded browser is used"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("browser journeys need the playwright package (pip install -e '.[test]')")

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_locale() -> str:
    """The browser's language (Accept-Language); override or parametrize it per test."""
    return "da-DK"


@pytest.fixture
def browser_context_options() -> dict:
    """Extra options of the test's browser context, e.g. `phone()`."""
    return {}


def phone() -> dict:
    """Context options of a phone: 390x844, touch, mobile user agent handling."""
    return dict(PHONE)


@pytest.fixture
def page(browser, asgi_server, browser_locale, browser_context_options) -> Iterator:
    """A page in a fresh browser context (no cookies), with `base_url` set to the server."""
    context = browser.new_context(
        base_url=asgi_server.url,
        locale=browser_locale,
        **browser_context_options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    # axe-core arrives as an init script: the site's Content-Security-Policy (no inline scripts)
    # rightly refuses a script tag added to the page, but does not apply to init scripts.
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@pytest.fixture
def asgi_server_env(tmp_path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "tests.e2e.server_settings",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        # Set in this process while the browser is open; the server keeps Django's check.
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
    }


@pytest.fixture
def mailbox(asgi_server_env) -> Callable[[], list[Message]]:
    """The e-mails the server has sent so far, oldest first."""
    directory = Path(asgi_server_env["EMAIL_FILE_PATH"])

    def read() -> list[Message]:
        if not directory.exists():
            return []
        messages = []
        for path in sorted(directory.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
            # The file-based backend appends each message followed by a line of dashes.
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk))
        return messages

    return read


def message_text(message: Message) -> str:
    """The plain-text body of an e-mail."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError(f"no text/plain part in {message['Subject']!r}")


def message_subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def axe_check(page) -> None:
    """Run axe-core in the page; fail on any serious or critical violation, listed readably.

    Colours are checked as the reader sees them once the page is still: finite animations and
    transitions (Wagtail's messages fade in) are awaited first, or axe would measure a colour
    halfway through the fade."""
    assert page.evaluate("() => typeof window.axe !== 'undefined'"), "axe-core is not loaded"
    results = page.evaluate(
        """async () => {
            const finite = document.getAnimations().filter(
                a => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
            await Promise.race([
                Promise.all(finite.map(a => a.finished.catch(() => null))),
                new Promise(resolve => setTimeout(resolve, 3000)),
            ]);
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }"""
    )
    blocking = [v for v in results if v["impact"] in AXE_BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe: {len(blocking)} serious/critical violation(s) on {page.url}"]
        for violation in blocking:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
            lines.append(f"  {violation['helpUrl']}")
            for node in violation["nodes"][:10]:
                summary = " ".join(node["summary"].split())
                lines.append(f"  * {node['target']}: {summary}")
            if len(violation["nodes"]) > 10:
                lines.append(f"  * ... and {len(violation['nodes']) - 10} more")
        raise AssertionError("\n".join(lines))


def in_language(language: str, text: str) -> str:
    """A string of the interface as the page in `language` shows it."""
    from django.utils import translation

    with translation.override(language):
        return translation.gettext(text)


def expect_language(page, language: str) -> None:
    assert page.locator("html").get_attribute("lang") == language, page.url


def log_in(page, email: str, *, login_url: str = "/konto/login/", lands_on=None) -> None:
    """Signs `email` in on the login form at `login_url` with the factories' password, then
    waits for the URL `lands_on` (a pattern or glob), or for the next page to load."""
    from tests.factories import PASSWORD

    page.goto(login_url)
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    if lands_on is None:
        page.wait_for_load_state()
    else:
        page.wait_for_url(lands_on)


SHOTS = os.environ.get("JOURNEY_SCREENSHOTS", "")  # a folder to keep screenshots in, if set


def shot(page, name: str) -> None:
    """A full-page screenshot `name`.png in $JOURNEY_SCREENSHOTS, when that is set."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def url_prefix(language: str) -> str:
    """The URL prefix of `language`: none for Danish, /en for English."""
    return "" if language == "da" else "/en"


def size_name(options: dict) -> str:
    """What screenshots call a browser context: "phone" with `phone()` options, else "desktop"."""
    return "phone" if options else "desktop"
