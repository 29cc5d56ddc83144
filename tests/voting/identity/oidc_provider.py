"""A small but real OpenID Connect provider for tests, in the style of a MitID broker.

It serves discovery, authorization (auto-approving its one configured person), token, JWKS and
userinfo endpoints over HTTP on 127.0.0.1 and a free port, from a thread. ID tokens are signed
RS256 with a key generated at start. It checks what a real provider checks: the client, the
redirect URI, PKCE (S256) and one use per code; it echoes the nonce. A test can make it
misbehave (`tamper_id_token`, `nonce_override`) to see that the app refuses.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None


@dataclass
class OIDCProvider:
    """Start with `start()`, stop with `stop()`; `issuer` is the server URL to configure."""

    client_id: str = "borgerbudget"
    client_secret: str = "broker-secret"
    subject: str = field(default_factory=lambda: f"pairwise-{secrets.token_hex(8)}")
    # Person claims, sent in the ID token and from userinfo unless told otherwise.
    claims: dict = field(default_factory=dict)
    claims_in_id_token: bool = True
    claims_in_userinfo: bool = True
    # Misbehaviour on request.
    tamper_id_token: bool = False
    nonce_override: str | None = None
    # What the provider saw, for assertions.
    authorize_requests: list[dict] = field(default_factory=list)
    token_requests: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self._grants: dict[str, Grant] = {}
        self._access_tokens: dict[str, str] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # --- Life cycle --------------------------------------------------------------------------

    def start(self) -> OIDCProvider:
        provider = self

        class Handler(_Handler):
            oidc = provider

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- Documents ---------------------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "mitid", "ssn"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "birthdate", "age", "dk:gov:cpr", "address"],
        }

    def jwks(self) -> dict:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def id_token(self, *, nonce: str | None) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "sub": self.subject,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "jti": secrets.token_hex(8),
        }
        nonce = self.nonce_override if self.nonce_override is not None else nonce
        if nonce:  # an empty override leaves the nonce out
            payload["nonce"] = nonce
        if self.claims_in_id_token:
            payload.update(self.claims)
        token = jwt.encode(payload, self._key, algorithm="RS256", headers={"kid": self.kid})
        if self.tamper_id_token:
            # Someone changed the payload on the way (a younger person made older) and kept the
            # signature: the signature no longer matches.
            header, _payload, signature = token.split(".")
            payload["age"] = 40
            payload["birthdate"] = "1985-01-01"
            forged = _b64url(json.dumps(payload).encode())
            token = f"{header}.{forged}.{signature}"
        return token

    # --- Endpoints ---------------------------------------------------------------------------

    def authorize(self, query: dict[str, str]) -> tuple[HTTPStatus, dict[str, str], bytes]:
        self.authorize_requests.append(query)
        if query.get("client_id") != self.client_id:
            return HTTPStatus.BAD_REQUEST, {}, b"unknown client"
        redirect_uri = query.get("redirect_uri", "")
        if not redirect_uri:
            return HTTPStatus.BAD_REQUEST, {}, b"no redirect_uri"
        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            return self._redirect(redirect_uri, error="invalid_request", state=query.get("state"))
        if query.get("code_challenge") and query.get("code_challenge_method") != "S256":
            return self._redirect(redirect_uri, error="invalid_request", state=query.get("state"))
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = Grant(
                client_id=self.client_id,
                redirect_uri=redirect_uri,
                scope=query.get("scope", ""),
                nonce=query.get("nonce"),
                code_challenge=query.get("code_challenge"),
                code_challenge_method=query.get("code_challenge_method"),
            )
        return self._redirect(redirect_uri, code=code, state=query.get("state"))

    def token(self, form: dict[str, str], authorization: str) -> tuple[HTTPStatus, dict]:
        self.token_requests.append(form)
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id or client_secret != self.client_secret:
            return HTTPStatus.UNAUTHORIZED, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return HTTPStatus.BAD_REQUEST, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            return HTTPStatus.BAD_REQUEST, {"error": "invalid_grant"}
        if grant.code_challenge:
            verifier = form.get("code_verifier") or ""
            challenge = _b64url(hashlib.sha256(verifier.encode()).digest())
            if challenge != grant.code_challenge:
                return HTTPStatus.BAD_REQUEST, {"error": "invalid_grant"}
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access_tokens[access_token] = self.subject
        return HTTPStatus.OK, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(nonce=grant.nonce),
        }

    def userinfo(self, authorization: str) -> tuple[HTTPStatus, dict]:
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        with self._lock:
            subject = self._access_tokens.get(token)
        if subject is None:
            return HTTPStatus.UNAUTHORIZED, {"error": "invalid_token"}
        data = {"sub": subject}
        if self.claims_in_userinfo:
            data.update(self.claims)
        return HTTPStatus.OK, data

    @staticmethod
    def _redirect(redirect_uri: str, **params) -> tuple[HTTPStatus, dict[str, str], bytes]:
        params = {k: v for k, v in params.items() if v is not None}
        separator = "&" if "?" in redirect_uri else "?"
        return HTTPStatus.FOUND, {"Location": f"{redirect_uri}{separator}{urlencode(params)}"}, b""


class _Handler(BaseHTTPRequestHandler):
    oidc: OIDCProvider

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self._json(HTTPStatus.OK, self.oidc.discovery())
        elif url.path == "/jwks":
            self._json(HTTPStatus.OK, self.oidc.jwks())
        elif url.path == "/authorize":
            status, headers, body = self.oidc.authorize(query)
            self._send(status, headers, body, "text/plain")
        elif url.path == "/userinfo":
            self._json(*self.oidc.userinfo(self.headers.get("Authorization", "")))
        else:
            self._send(HTTPStatus.NOT_FOUND, {}, b"not found", "text/plain")

    def do_POST(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        if url.path == "/token":
            self._json(*self.oidc.token(form, self.headers.get("Authorization", "")))
        else:
            self._send(HTTPStatus.NOT_FOUND, {}, b"not found", "text/plain")

    def _json(self, status: HTTPStatus, data: dict) -> None:
        self._send(
            status, {"Cache-Control": "no-store"}, json.dumps(data).encode(), "application/json"
        )

    def _send(self, status: HTTPStatus, headers: dict, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
