"""What keeps the web app safe to run: security headers, a bound on request bodies, the write token, safe links.

Everything shown comes from articles, feeds and fact-check records, i.e. from strangers: templates escape it
(Jinja2 autoescape), links are made only of http/https URLs, and the Content-Security-Policy allows scripts from
this server's /static only (no inline script, nothing from elsewhere), so that markup slipped past escaping
still cannot run.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
MAX_BODY_BYTES = 24 * 1024 * 1024  # the largest request body (a fact-check file to import)
MAX_TEXT_CHARS = 200_000  # pasted article text
MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # an uploaded HTML page
MAX_IMPORT_BYTES = 20 * 1024 * 1024  # an uploaded fact-check file

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(Exception):
    pass


class Guard:
    """ASGI middleware: security headers on every response; a request body over ``max_body`` bytes is refused
    (413) whether or not it declares its length."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await _too_large(send, self.max_body)
            return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in HEADERS if h[0] not in names]
            await send(message)

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await _too_large(send, self.max_body)


async def _too_large(send: Send, limit: int) -> None:
    body = f"request body larger than {limit // (1024 * 1024)} MB\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), *HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})


def safe_url(url: object) -> str | None:
    """``url`` when it is an http or https URL with a host, else None: never a ``javascript:`` or ``data:`` link."""
    if not isinstance(url, str) or len(url) > 4000:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(c in url for c in "\x00\r\n\t<>\"' "):
        return None
    return url


def token_error(configured: str | None, given: str | None) -> tuple[int, str] | None:
    """None when a write may go ahead; else the HTTP status (401: no token given, 403: wrong, or a read-only
    server) and a one-line reason."""
    if not configured:
        return 403, "this server is read-only: start it with --write-token (or $PRESSLENS_WRITE_TOKEN) to allow writes"
    if not given:
        return 401, "this needs the server's write token"
    if not hmac.compare_digest(given.encode("utf-8"), configured.encode("utf-8")):
        return 403, "wrong write token"
    return None


def bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header."""
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
