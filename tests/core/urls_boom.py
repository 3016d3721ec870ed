"""The site's URLs plus one view that fails, to see the 500 page a user gets."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as site


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [*site, path("boom/", boom)]
__all__ = ["handler500", "urlpatterns"]
