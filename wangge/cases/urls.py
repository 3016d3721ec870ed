from django.urls import path

from wangge.cases import catalogue_views, views

app_name = "cases"
urlpatterns = [
    path("", views.list_view, name="list"),
    path("export.xlsx", views.export_view, name="export"),
    path("new/", views.create_view, name="create"),
    path("stats/", views.stats_view, name="stats"),
    path("notifications/", views.notifications_view, name="notifications"),
    path("catalogue/", views.catalogue_view, name="catalogue"),
    path("catalogue/export.xlsx", catalogue_views.catalogue_export_view, name="catalogue_export"),
    path("catalogue/import/", catalogue_views.catalogue_import_view, name="catalogue_import"),
    path("<int:case_id>/", views.detail_view, name="detail"),
    path("<int:case_id>/act/", views.act_view, name="act"),
    path("<int:case_id>/photos/<int:attachment_id>/", views.photo_view, name="photo"),
    path("<int:case_id>/reporters/", views.reporter_add_view, name="reporter_add"),
]
