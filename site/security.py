"""Content-Security-Policy for the public site: scripts only from our own origin, never inline."""

from django.conf import settings


def build_policy() -> str:
    tiles = settings.MAP_TILE_ORIGIN
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        # Inline styles are allowed (the design system's components set them); scripts are not.
        "style-src": "'self' 'unsafe-inline'",
        "img-src": f"'self' data: blob: {tiles}".strip(),
        "font-src": "'self'",
        "connect-src": "'self' ws: wss:",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "object-src": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response outside the Wagtail admin (which ships its own scripts)."""

    exempt_prefixes = ("/admin/",)

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = build_policy()

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.exempt_prefixes):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
