"""What keeps the web server safe from oversized requests and from logging them: a body limit and capped logs."""

from __future__ import annotations

import io
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TextIO

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_API_BYTES = 2 * 1024 * 1024  # a question, a comment and a conversation's state; never a plan
MAX_LOG_LINE = 2000  # characters of one logged line; the rest is cut, so no request body fills the log


class BodyLimit:
    """ASGI middleware: a request body over its limit gets 413 before the app reads it (uploads may be larger)."""

    def __init__(self, app: ASGIApp, upload_bytes: int, api_bytes: int = MAX_API_BYTES) -> None:
        self.app, self.upload_bytes, self.api_bytes = app, upload_bytes, api_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 413 when its declared or streamed body is too large."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_bytes + 64 * 1024 if scope["path"].rstrip("/").endswith("/upload") else self.api_bytes
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # a chunked body that lied by omission
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(send, limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = f"Request too large (limit {limit // 1024} KB).".encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class CappedStream(io.TextIOBase):
    """A text stream that cuts every line at max_line characters (libraries print inputs they reject)."""

    def __init__(self, inner: TextIO, max_line: int = MAX_LOG_LINE) -> None:
        self.inner, self.max_line, self._col = inner, max_line, 0

    def write(self, text: str) -> int:
        """Write text, dropping what goes past max_line on any line (with one note per cut line)."""
        out = []
        for part in text.splitlines(keepends=True):
            room = self.max_line - self._col
            ends = part.endswith(("\n", "\r"))
            body = part.rstrip("\r\n")
            if room > 0:
                kept = body[:room]
                out.append(kept)
                if len(body) > room:
                    out.append(" … [line cut]")
                self._col += len(body)
            if ends:
                out.append("\n")
                self._col = 0
        self.inner.write("".join(out))
        return len(text)

    def flush(self) -> None:
        """Flush the wrapped stream."""
        self.inner.flush()

    def isatty(self) -> bool:
        """Whether the wrapped stream is a terminal."""
        return self.inner.isatty()

    def fileno(self) -> int:
        """The wrapped stream's descriptor."""
        return self.inner.fileno()


def cap_process_logs(max_line: int = MAX_LOG_LINE) -> None:
    """Cut long lines on this process's stdout and stderr (once)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, CappedStream):
            setattr(sys, name, CappedStream(stream, max_line))
