"""Sharing the server safely: a bearer token and per-client rate limits (pure ASGI).

Claims carry birth dates and diagnoses, so a server that listens beyond localhost requires a
token (``medcode serve --token-file FILE`` or ``MEDCODE_TOKEN``) unless ``--no-auth`` is
given on purpose. Every request then needs ``Authorization: Bearer <token>``, except the web
page itself (``/``, ``/static/...``, which asks for the token once) and ``/v1/health``.

Rate limits are per client address, a token bucket per worker process: ``rate`` requests a
second on average, bursts up to ``burst``; over it, 429 with ``Retry-After``.
"""

from __future__ import annotations

import hmac
import os
import time
from dataclasses import dataclass
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from medcode.api.errors import error_response

#: paths served without a token: the pages (they ask for the token) and the health probe
OPEN_PATHS = ("/", "/favicon.ico", "/v1/health", "/docs")
OPEN_PREFIXES = ("/static/",)
#: environment variables that carry the settings to worker processes
TOKEN_ENV = "MEDCODE_TOKEN"
RATE_ENV = "MEDCODE_API_RATE"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class Security:
    token: str | None = None      # None: no authentication
    rate: float = 0.0             # requests/second per client; 0: no limit
    burst: int = 0

    @staticmethod
    def from_env() -> Security:
        token = os.environ.get(TOKEN_ENV) or None
        rate, _, burst = os.environ.get(RATE_ENV, "0").partition(":")
        try:
            r = float(rate)
            b = int(burst) if burst else int(max(r * 10, 1))
        except ValueError:
            r, b = 0.0, 0
        return Security(token.strip() if token else None, r, b)


def read_token(path: str | Path) -> str:
    """The token in a file (its first line); a clear error when unusable."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"--token-file {p}: cannot read it ({exc.strerror})") from None
    token = text.strip().splitlines()[0].strip() if text.strip() else ""
    if len(token) < 16:
        raise ValueError(f"--token-file {p}: the token must be at least 16 characters "
                         "(make one with: python -c \"import secrets; print(secrets."
                         "token_urlsafe(32))\" > token.txt)")
    return token


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


class Bucket:
    __slots__ = ("tokens", "stamp")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp


class Guard:
    """Token check first (a 401 costs nothing), then the client's rate bucket."""

    def __init__(self, app: ASGIApp, security: Security) -> None:
        self.app = app
        self.token = security.token.encode() if security.token else None
        self.rate = security.rate
        self.burst = float(security.burst or max(security.rate * 10, 1))
        self.buckets: dict[str, Bucket] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if self.token is not None and not (path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)):
            problem = self._auth_problem(scope)
            if problem:
                resp = error_response(path, 401, problem, "unauthorized", issue="login")
                resp.headers["WWW-Authenticate"] = 'Bearer realm="medcode"'
                await resp(scope, receive, send)
                return
        if self.rate > 0:
            wait = self._take(scope)
            if wait > 0:
                resp = error_response(path, 429, "too many requests from this client: slow "
                                      f"down (retry in {wait:.0f} s)", "rate_limited",
                                      issue="throttled")
                resp.headers["Retry-After"] = str(max(1, round(wait)))
                await resp(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _auth_problem(self, scope: Scope) -> str | None:
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, given = value.partition(b" ")
                if scheme.lower() != b"bearer" or not given.strip():
                    return "the Authorization header must be 'Bearer <token>'"
                assert self.token is not None
                if hmac.compare_digest(given.strip(), self.token):
                    return None
                return "the bearer token is not valid for this server"
        return ("this server requires a bearer token: send 'Authorization: Bearer <token>' "
                "(the token is in the file given to `medcode serve --token-file`)")

    def _take(self, scope: Scope) -> float:
        client = scope.get("client")
        key = client[0] if client else "?"
        now = time.monotonic()
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) > 50_000:  # forget idle clients, never grow without bound
                self.buckets = {k: b for k, b in self.buckets.items() if now - b.stamp < 60}
            bucket = self.buckets[key] = Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


__all__ = ["Guard", "Security", "is_loopback", "read_token"]
