"""Pages every visitor meets: home, the public photos, the health check and the 500 page."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.static import serve

from wangge.core import health, panels
from wangge.core.context import current_request_id
from wangge.core.uploads import PUBLIC_MEDIA_FOLDER

logger = logging.getLogger(__name__)


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    """The panels the user's apps offer them: work waiting, their area's figures, their grid, their accounts."""
    return render(request, "core/home.html", {"panels": panels.render_panels(panels.HOME, request)})


def public_media_view(request: HttpRequest, path: str) -> FileResponse:
    """A grid worker's photo on the public cards: the one folder of uploads served without a check."""
    return serve(request, path, document_root=str(Path(settings.MEDIA_ROOT) / PUBLIC_MEDIA_FOLDER))


def healthz_view(request: HttpRequest) -> HttpResponse:
    """For the proxy and monitoring: 200 when the database, the queue, the upload disk and the sweep are fine, else 503."""
    result = health.report()
    response = JsonResponse(result, status=200 if result["status"] == "ok" else 503)
    response["Cache-Control"] = "no-store"
    return response


def server_error_view(request: HttpRequest) -> HttpResponse:
    """The 500 page: styled and in the user's language like the 404, with the request id to quote to the administrator.

    If even the page cannot be drawn (static files missing, templates broken), a plain one is sent.
    """
    request_id = current_request_id()
    html: str
    try:
        html = loader.render_to_string("500.html", {"request_id": request_id})
    except Exception:
        logger.exception("the 500 page could not be drawn")
        html = "<!doctype html><meta charset=utf-8><title>{}</title><h1>500</h1><p>{}</p><p>{}</p>".format(
            escape(_("Server error")),
            escape(_("Something went wrong on our side; nothing you did caused it. Please try again in a moment.")),
            escape(_("Reference for the administrator: %(id)s") % {"id": request_id}),
        )
    return HttpResponseServerError(html)
