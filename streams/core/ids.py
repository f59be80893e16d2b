"""Stable article ids: from the normalised url when there is one, else from the content."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit, urlunsplit

from schemas.models import RawArticle

_TRACKING = ("utm_", "fbclid", "gclid", "ref", "amp")
WEB_SCHEMES = ("http", "https")


def normalise_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, no trailing slash."""
    parts = urlsplit(url.strip())
    query = "&".join(
        p for p in parts.query.split("&") if p and not p.split("=", 1)[0].startswith(_TRACKING)
    )
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(((parts.scheme or "http").lower(), host, path, query, ""))


def article_id(raw: RawArticle) -> str:
    """The producer's id, or a 20-hex-digit digest of the normalised url or of the content."""
    if raw.id:
        return raw.id
    if raw.url and raw.url.strip():
        basis = "url:" + normalise_url(raw.url)
    else:
        basis = "content:" + (raw.html or "") + "\x00" + (raw.text or "")
    return hashlib.sha1(basis.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def source_of(raw: RawArticle) -> str | None:
    """The outlet: the producer's `source`, else the url's host without `www.`."""
    if raw.source:
        return raw.source
    if raw.url:
        host = urlsplit(raw.url.strip()).hostname
        return host.removeprefix("www.") if host else None
    return None


def web_url(url: str | None) -> str | None:
    """The url when it is an http(s) address, else None: a javascript:, data: or file: url (or
    one without a scheme) would reach every consumer that renders an article's link."""
    if url is None:
        return None
    return url if urlsplit(url.strip()).scheme.lower() in WEB_SCHEMES else None


def identify(raw: RawArticle) -> RawArticle:
    """The article with its stable id and source filled in; a url that is not http(s) is
    dropped (the article stays, identified by its content)."""
    if raw.url is not None and web_url(raw.url) is None:
        raw = raw.model_copy(update={"url": None})
    if raw.id and (raw.source or not raw.url):
        return raw
    return raw.model_copy(update={"id": article_id(raw), "source": source_of(raw)})
