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

from django.conf import settings


def tile_origin(url: str) -> str:
    """The scheme and host of a map tile URL, as a CSP source: `{s}` sub-domains become `*`."""
    if not url.startswith(("https://", "http://")):
        return ""
    origin = "/".join(url.split("/")[:3])
    return origin.replace("{s}", "*")


def build_policy(*, admin: bool = False, inline_scripts: bool = False) -> str:
    tiles = "" if admin else tile_origin(settings.MAP_TILE_URL)
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
    """Adds the policy to every response: the public one, or the admin's."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = build_policy()
        self.admin_policy = build_policy(admin=True)
        self.admin_form_policy = build_policy(admin=True, inline_scripts=True)

    def policy_for(self, path: str) -> str:
        if not path.startswith(ADMIN_PREFIX):
            return self.policy
        if _ADMIN_FORM.search(path[len(ADMIN_PREFIX) - 1 :]):
            return self.admin_form_policy
        return self.admin_policy

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy_for(request.path))
        return response
