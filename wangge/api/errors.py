"""The API's one edge for refusals: who is calling, and every refusal in one body and one status rule.

Every API module takes its caller from `caller` and lets the domain's exceptions rise: the handlers
`install` registers answer them all in `ProblemOut`'s shape (`detail` in the caller's language, a
stable `code`, `errors` for the fields a schema refused, `existing_id` for a duplicate):

| status | when |
|---|---|
| 400 | a body that is not JSON |
| 401 | no session and no valid token |
| 403 | a missing capability or relationship (`PermissionDenied`, with the service's code where it gives one) |
| 404 | nothing the caller may see (`NotFound`, `Http404`): outside the scope and absent answer alike |
| 409 | a conflict with the stored data: a stale version or a duplicate record (`CONFLICT_CODES`) |
| 422 | input the schema or the service refuses (`ValidationError`) |
| 429 | a check paused for the caller (`PAUSED_CODES`) |
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from wangge.core.errors import NotFound
from wangge.core.models import User

# A ValidationError with one of these codes collides with what is stored: 409, whichever module raised it.
CONFLICT_CODES = frozenset({"conflict", "duplicate_person", "duplicate_elsewhere", "client_key_taken"})
PAUSED_CODES = frozenset({"duplicate_checks_paused"})

# The code of a refusal that carries none of its own, by status.
STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 422: "invalid"}


def forbidden_message() -> str:
    return _("You do not have permission to do this.")


def caller(request: HttpRequest, *capabilities: str) -> User:
    """The signed-in user of this request; a 403 unless they hold every one of `capabilities`."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    if not all(user.has_perm(capability) for capability in capabilities):
        raise PermissionDenied(forbidden_message())
    return user


def refuse(status: int, detail: str, code: str = "") -> HttpError:
    """A refusal the API itself decides (an unknown filter value): raise it, the handler shapes the body."""
    error = HttpError(status, detail)
    error.code = code or STATUS_CODES.get(status, "")  # type: ignore[attr-defined]
    return error


def status_of(exc: ValidationError) -> int:
    """The one rule for a refused write: 409 for a conflict, 429 for a paused check, else 422."""
    code = getattr(exc, "code", None) or ""
    if code in CONFLICT_CODES:
        return 409
    if code in PAUSED_CODES:
        return 429
    return 422


def problem_body(exc: ValidationError) -> dict[str, Any]:
    """A refused write as the API answers it; a duplicate names the record it duplicates only when the
    service gave its id (it does not for a record outside the caller's scope)."""
    code = getattr(exc, "code", None) or "invalid"
    body: dict[str, Any] = {"detail": " ".join(str(m) for m in exc.messages), "code": code}
    if status_of(exc) == 409:
        params = getattr(exc, "params", None) or {}
        body["existing_id"] = params.get("existing_id")
    return body


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"loc": [str(p) if not isinstance(p, int) else p for p in e.get("loc", [])], "msg": e.get("msg", "")}
        for e in errors
    ]


def install(api: NinjaAPI) -> None:
    """Register the handlers that answer every refusal of `api` in the shape above."""

    def answer(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(SchemaError)
    def schema_error(request: HttpRequest, exc: SchemaError) -> HttpResponse:
        """A body, query or path the schema refuses: 422, the fields named."""
        errors = _field_errors(exc.errors)
        fields = ", ".join(dict.fromkeys(str(e["loc"][-1]) for e in errors if e["loc"]))
        detail = (
            _("The request is not valid: %(fields)s.") % {"fields": fields}
            if fields
            else _("The request is not valid.")
        )
        return answer(request, 422, {"detail": detail, "code": "invalid", "errors": errors})

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return answer(request, 401, {"detail": _("Sign in or send a valid API token."), "code": "unauthorized"})

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        # a 400 is ninja's own answer to a body that is not JSON
        detail = _("The request body is not valid JSON.") if status == 400 else str(exc)
        code = getattr(exc, "code", "") or STATUS_CODES.get(status, "")
        return answer(request, status, {"detail": detail, "code": code})

    @api.exception_handler(NotFound)
    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return answer(request, 404, {"detail": _("Not found."), "code": "not_found"})

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = str(exc) or forbidden_message()
        return answer(request, 403, {"detail": detail, "code": getattr(exc, "code", "") or "forbidden"})

    @api.exception_handler(ValidationError)
    def refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return answer(request, status_of(exc), problem_body(exc))
