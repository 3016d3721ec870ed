from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from wangge.api.api import api
from wangge.core.views import site

urlpatterns = [
    path("", site.home_view, name="home"),
    path("healthz", site.healthz_view, name="healthz"),
    path("", include("wangge.core.urls")),
    path("regions/", include("wangge.regions.urls")),
    path("people/", include("wangge.people.urls")),
    path("places/", include("wangge.places.urls")),
    path("ledgers/", include("wangge.ledgers.urls")),
    path("cases/", include("wangge.cases.urls")),
    path("", include("wangge.window.urls")),  # /window/catalogue/ (staff), /services/ (public)
    path("api/v1/", api.urls),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # Of the uploaded files only the grid workers' photos (on the public cards) are public; a proxy may
    # serve this folder itself. Case photos are served by the case's own view (cases:photo), never here.
    path("media/assignments/<path:path>", site.public_media_view, name="public_media"),
]
handler500 = "wangge.core.views.site.server_error_view"
