from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from wangge.api.api import api
from wangge.regions import views as region_views

urlpatterns = [
    path("", region_views.home, name="home"),
    path("", include("wangge.core.urls")),
    path("regions/", include("wangge.regions.urls")),
    path("people/", include("wangge.people.urls")),
    path("places/", include("wangge.places.urls")),
    path("ledgers/", include("wangge.ledgers.urls")),
    path("cases/", include("wangge.cases.urls")),
    path("api/v1/", api.urls),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
