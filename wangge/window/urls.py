from django.urls import path

from wangge.window import views

app_name = "window"

urlpatterns = [
    # the console (staff who keep the catalogue)
    path("window/catalogue/", views.catalogue_view, name="catalogue"),
    path("window/catalogue/new/", views.item_create_view, name="item_create"),
    path("window/catalogue/<str:code>/", views.item_edit_view, name="item_edit"),
    path("window/catalogue/<str:code>/versions/", views.item_versions_view, name="item_versions"),
    # public: no login, nothing internal
    path("services/", views.public_list_view, name="public_list"),
    path("services/<str:code>/", views.public_item_view, name="public_item"),
    path("services/<str:code>/print/", views.public_print_view, name="public_print"),
]
