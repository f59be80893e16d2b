"""The web server's edge: which requests reach warta's handlers at all.

Consumes every aiohttp request before its handler and the settings (web host, allowed hosts, token);
produces either the handler's response or a JSON refusal: 421 for a Host that is not one of the
server's own names (DNS rebinding), 403 for a cross-site write (foreign Origin, Sec-Fetch-Site:
cross-site), 415 for a POST that is not JSON or JSONL (what an HTML form or a no-preflight fetch can
send), 401 without the bearer token when WARTA_WEB_TOKEN is set, 404 for faust's own pages (tables,
router). It also turns aiohttp's traceback for a malformed request (an over-long URL) into one line.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

import orjson
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from streams.settings import Settings

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# What a browser can POST cross-site without a preflight is form data, text/plain or no type at
# all; a JSON type forces the preflight that this server never answers, so only JSON gets in.
BODY_TYPES = frozenset(
    {"application/json", "application/x-ndjson", "application/jsonl", "application/json-lines"}
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The dashboard page and its assets hold no data; a token on the page URL becomes a cookie for
# the API calls the page makes (EventSource cannot send an Authorization header).
OPEN_PATHS = frozenset({"/", "/static/{name}"})
TOKEN_COOKIE = "warta_token"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _refuse(status: int, error: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=orjson.dumps({"error": error}),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def host_name(value: str) -> str:
    """The host of a Host header or an Origin's netloc, lower case, without port or brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def exposure_warning(settings: Settings) -> str | None:
    """What to tell the operator when the API is reachable beyond this machine without a token."""
    host = host_name(settings.web_host)
    if host in LOOPBACK_NAMES or host.startswith("127.") or settings.web_token is not None:
        return None
    return (
        f"the worker's web port is bound to {settings.web_host}, beyond loopback, and "
        "WARTA_WEB_TOKEN is not set: anyone who can reach it may read the store and post "
        "articles; set WARTA_WEB_TOKEN (or WARTA_WEB_HOST=127.0.0.1)"
    )


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """The names this server answers to: its bound address, loopback and the operator's list."""
    names = {host_name(settings.web_host), *LOOPBACK_NAMES}
    names.update(host_name(name) for name in settings.web_allowed_hosts if name.strip())
    return frozenset(names)


def guard(
    settings: Settings, own_paths: Iterable[str]
) -> Callable[..., Awaitable[web.StreamResponse]]:
    """The middleware: refuse what does not belong here before any handler runs."""
    hosts = allowed_hosts(settings)
    paths = frozenset(own_paths)
    token = settings.web_token.get_secret_value() if settings.web_token else None

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if host_name(request.headers.get("Host", "")) not in hosts:
            return _refuse(421, "unknown host; add it to WARTA_WEB_ALLOWED_HOSTS to serve it")
        resource = request.match_info.route.resource
        if resource is None or resource.canonical not in paths:
            return _refuse(404, "not found")
        if request.method not in SAFE_METHODS:
            refusal = _cross_site(request, hosts)
            if refusal is not None:
                return refusal
        guarded = token is not None and resource.canonical not in OPEN_PATHS
        if guarded and not _has_token(request, token or ""):
            return _refuse(401, "give the token (WARTA_WEB_TOKEN)", {"WWW-Authenticate": "Bearer"})
        response = await handler(request)
        offered = request.query.get("token")
        if token is not None and offered and hmac.compare_digest(offered, token):
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict")
        return response

    return middleware


def _cross_site(request: web.Request, hosts: frozenset[str]) -> web.Response | None:
    origin = request.headers.get("Origin")
    if origin is not None and host_name(urlsplit(origin).netloc) not in hosts:
        return _refuse(403, "cross-site request refused (Origin is not this server)")
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return _refuse(403, "cross-site request refused (Sec-Fetch-Site)")
    if request.content_type not in BODY_TYPES:
        return _refuse(415, "send Content-Type: application/json or application/x-ndjson (JSONL)")
    return None


def _has_token(request: web.Request, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token):
        return True
    return hmac.compare_digest(request.cookies.get(TOKEN_COOKIE, ""), token)


class MalformedRequestFilter(logging.Filter):
    """aiohttp logs a malformed request (an over-long URL, a bad header) with a traceback into the
    live view; it is the client's mistake, answered with 400, so one line is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.msg = "refused a malformed HTTP request: %s"
            record.args = (exc.message,)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quiet_malformed_requests() -> None:
    """Install MalformedRequestFilter on aiohttp's server logger (once)."""
    logger = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, MalformedRequestFilter) for f in logger.filters):
        logger.addFilter(MalformedRequestFilter())
