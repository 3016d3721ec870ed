from django.urls import path

from wangge.places import views

app_name = "places"
urlpatterns = [
    path("", views.buildings_view, name="buildings"),
    path("compounds/new/", views.compound_create_view, name="compound_create"),
    path("compounds/<int:compound_id>/edit/", views.compound_edit_view, name="compound_edit"),
    path("buildings/new/", views.building_create_view, name="building_create"),
    path("buildings/<int:building_id>/", views.building_view, name="building"),
    path("buildings/<int:building_id>/edit/", views.building_edit_view, name="building_edit"),
    path("houses/new/", views.house_create_view, name="house_create"),
    path("houses/<int:house_id>/", views.house_view, name="house"),
    path("houses/<int:house_id>/edit/", views.house_edit_view, name="house_edit"),
]
