"""Who is asking, from where, in which request: set once per web request or queued task.

Kept apart from the models so that logging (configured before the apps load) can read it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str = "cli"
    request_id: str = ""


_DEFAULT_CONTEXT = RequestContext()
_context: ContextVar[RequestContext] = ContextVar("wangge_request_context", default=_DEFAULT_CONTEXT)


def enter(ip: str, request_id: str | None = None) -> Token[RequestContext]:
    """Set the source (and the request id; by default the enclosing one is kept); `leave` undoes it."""
    if request_id is None:
        request_id = _context.get().request_id
    return _context.set(RequestContext(ip=ip, request_id=request_id[:32]))


def leave(token: Token[RequestContext]) -> None:
    _context.reset(token)


@contextmanager
def request_context(ip: str, request_id: str | None = None) -> Iterator[None]:
    token = enter(ip, request_id)
    try:
        yield
    finally:
        leave(token)


def current_ip() -> str:
    return _context.get().ip


def current_request_id() -> str:
    return _context.get().request_id
