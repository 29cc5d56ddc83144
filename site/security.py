"""Content-Security-Policy: scripts only from our own origin, never inline, on the public site
and on the admin pages that show residents' text.

The Wagtail admin (8.0) loads its scripts as files, but some of its form widgets still write an
inline `<script>` (the date and time choosers, InlinePanel, MultipleChooserPanel, the workflow
panel): the admin's add/edit/create/copy forms therefore allow inline scripts, and every other
admin page does not. Residents' text is shown on the review, queue, grant and inspect pages,
which are not forms and so run with `script-src 'self'`. Inline styles are allowed throughout
(the design system's components and Wagtail's own set them). `'unsafe-eval'` is never allowed;
Wagtail's accessibility checker, which needs it, does not run.
"""

import re
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

from committees.maps import SUBDOMAINS


def tile_origins(url: str) -> list[str]:
    """The origins a map tile URL (`MAP_TILE_URL`) fetches from, as CSP sources: one for each
    sub-domain `{s}` is filled with, exactly as `committees.maps.tile_url` fills it. Not
    `https://*.example.dk`: a wildcard stands only for whole leftmost labels (`tile-{s}.example.dk`
    has none) and would allow every other sub-domain too. A URL on our own origin needs none."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return []
    host = parts.netloc.rpartition("@")[2]  # never a user name or password in the policy
    origin = f"{parts.scheme}://{host}".lower()
    if "{s}" not in origin:
        return [origin]
    return [origin.replace("{s}", subdomain) for subdomain in SUBDOMAINS]


@lru_cache(maxsize=16)
def build_policy(*, admin: bool = False, inline_scripts: bool = False, tile_url: str = "") -> str:
    tiles = "" if admin else " ".join(tile_origins(tile_url))
    directives = {
        "default-src": "'self'",
        "script-src": "'self' 'unsafe-inline'" if inline_scripts else "'self'",
        # Inline styles are allowed (the design system's components set them); scripts are not.
        "style-src": "'self' 'unsafe-inline'",
        "img-src": f"'self' data: blob: {tiles}".strip(),
        "font-src": "'self'",
        "connect-src": "'self'" if admin else "'self' ws: wss:",
        # The admin shows previews of our own pages in a frame; nobody frames the admin.
        "frame-src": "'self'",
        "frame-ancestors": "'self'" if admin else "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "object-src": "'none'",
    }
    if not admin:
        del directives["frame-src"]
    return "; ".join(f"{name} {value}" for name, value in directives.items())


ADMIN_PREFIX = "/admin/"
# Wagtail's form pages, whose widgets write inline scripts (see the module docstring).
_ADMIN_FORM = re.compile(r"/(?:add|edit|create|copy|new)(?:/|$)|/(?:add|edit)_[a-z_]+/")


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response: the public one, or the admin's.

    The policy is looked up for each response (and built once per tile URL), not kept from
    start-up: it has to allow the tiles of the `MAP_TILE_URL` the page is drawn with."""

    def __init__(self, get_response):
        self.get_response = get_response

    def policy_for(self, path: str) -> str:
        if not path.startswith(ADMIN_PREFIX):
            return build_policy(tile_url=settings.MAP_TILE_URL)
        return build_policy(
            admin=True, inline_scripts=bool(_ADMIN_FORM.search(path[len(ADMIN_PREFIX) - 1 :]))
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy_for(request.path))
        return response
