"""`check server --base-url`: whether a URL can be a server's root, and how to show one."""

from __future__ import annotations

import re

__all__ = ["MAX_BASE_URL_CHARS", "base_url_problem", "shown_url"]

MAX_BASE_URL_CHARS = 2048
_HOST_LABEL = re.compile(r"[A-Za-z0-9_-]{1,63}")


def base_url_problem(url: str) -> str:
    """Why `url` cannot be a server's root ("" when it can): the checks add paths to it, and
    what httpx accepts here may still fail later, in IDNA or in the socket, with a traceback."""
    import httpx

    from contract.validate.explain import clip

    if len(url) > MAX_BASE_URL_CHARS:
        return f"{len(url):,} characters; give the server's root (at most {MAX_BASE_URL_CHARS:,})"
    if not url.lower().startswith(("http://", "https://")):
        return "give an http:// or https:// URL"
    if "?" in url or "#" in url:
        return "give the server's root without ?query or #fragment (the checks add the paths)"
    if "@" in url.split("/", 3)[2]:
        return "give the server's root without user:password@ (the key goes in --api-key)"
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"not a valid URL ({exc})"
    host = parsed.raw_host.decode("ascii")  # httpx has IDNA-encoded and %-escaped it
    if not host:
        return "the URL names no host"
    if ":" not in host:  # an IPv6 address, which httpx has checked; else a name or IPv4
        problem = _host_problem(host)
        if problem:
            return problem
        try:
            parsed.host  # noqa: B018 - decoding an xn-- label is where idna refuses one
        except UnicodeError as exc:  # idna.IDNAError is one
            return (f"the host {clip(host, limit=80)!r} is not a valid internationalised "
                    f"name ({exc})")  # fmt: skip
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        return f"port {clip(str(parsed.port), limit=20)} is not from 1 to 65535"
    return ""


def _host_problem(host: str) -> str:
    """Why `host` (ASCII, as sent) is not a DNS name the socket can look up ("" when it is)."""
    from contract.validate.explain import clip

    labels = host.removesuffix(".").split(".")
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return (f"the host {clip(host, limit=80)!r} is not a host name (labels of 1 to 63 "
                "letters, digits, hyphens or underscores, joined by dots)")  # fmt: skip
    return ""


def shown_url(url: str) -> str:
    """`url` for a message: cut when long, a password never repeated."""
    from contract.validate.explain import clip

    return clip(re.sub(r"^([^/]*//)[^/@]*@", r"\1***@", url), limit=100)
