"""Pure ASGI middleware: a request body limit (413) and a last-resort 500 that never
shows a stack trace to the client nor request content to the log."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medcode.api.errors import error_response, log_unexpected

#: default largest request body accepted, in bytes
MAX_BODY = 5 * 1024 * 1024


class BodyTooLarge(Exception):
    pass


def _too_large(path: str, limit: int) -> Any:
    return error_response(path, 413, f"request body is larger than {limit // (1024 * 1024)} MB; "
                          "send fewer claims per request or use `medcode check` on a file",
                          "body_too_large", limit_bytes=limit)


class Guard:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.max_body
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0:
                    resp = error_response(path, 400, "Content-Length is not a number",
                                          "bad_request")
                    await resp(scope, receive, send)
                    return
                if declared > limit:
                    await _too_large(path, limit)(scope, receive, send)
                    return
                break

        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge()
            return message

        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(path, limit)(scope, receive, send)
        except Exception as exc:  # the edge: nothing unexpected reaches the client as a trace
            log_unexpected(scope.get("method", "?"), path, exc)
            if started:
                raise
            resp = error_response(path, 500, "internal error: the server could not answer this "
                                  "request; the failure was logged", "internal_error")
            await resp(scope, receive, send)
