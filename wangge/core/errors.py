"""Errors the domain raises that the edges (console views, the API) answer in HTTP.

A service or selector never raises an HTTP type: it raises `NotFound`, and the edge translates
(`wangge.core.middleware.DomainErrorMiddleware` for the console, the API's exception handler for
the API). Refusals of a capability stay Django's `PermissionDenied`, invalid input `ValidationError`.
"""

from __future__ import annotations


class NotFound(Exception):
    """There is nothing here the caller may see: it does not exist, or it lies outside the caller's scope.

    Both answer the same 404, so that nothing leaks; a record that exists outside the scope is counted
    as a refusal where it was asked for by its id (`wangge.core.refusals.get_in_scope`).
    """
