from django.urls import path

from wangge.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.tree_view, name="tree"),
    path("new/", views.root_create_view, name="create_root"),
    path("<int:region_id>/", views.detail_view, name="detail"),
    path("<int:region_id>/map.json", views.map_view, name="map"),
    path("<int:region_id>/edit/", views.edit_view, name="edit"),
    path("<int:region_id>/new/", views.create_view, name="create"),
    path("<int:region_id>/move/", views.move_view, name="move"),
    path("<int:region_id>/merge/", views.merge_view, name="merge"),
    path("<int:region_id>/split/", views.split_view, name="split"),
    path("<int:region_id>/card/", views.card_view, name="card"),
    path("<int:region_id>/export.xlsx", views.export_view, name="export"),
    path("<int:region_id>/assign/", views.assignment_create_view, name="assign"),
    path("assignments/<int:assignment_id>/end/", views.assignment_end_view, name="assignment_end"),
    path("scopes/<int:user_id>/", views.user_scope_view, name="user_scope"),
]
