from django.urls import path

from wangge.people import views

app_name = "people"
urlpatterns = [
    path("", views.list_view, name="list"),
    path("export.xlsx", views.export_view, name="export"),
    path("new/", views.create_view, name="create"),
    path("<int:person_id>/", views.detail_view, name="detail"),
    path("<int:person_id>/edit/", views.edit_view, name="edit"),
    path("<int:person_id>/reveal/", views.reveal_view, name="reveal"),
    path("<int:person_id>/claim/", views.claim_view, name="claim"),
    path("<int:person_id>/verify/", views.verify_view, name="verify"),
    path("<int:person_id>/delete/", views.delete_view, name="delete"),
    path("<int:person_id>/restore/", views.restore_view, name="restore"),
    path("<int:person_id>/merge/", views.merge_view, name="merge"),
    path("<int:person_id>/tags/add/", views.tag_add_view, name="tag_add"),
    path("<int:person_id>/tags/<int:person_tag_id>/end/", views.tag_end_view, name="tag_end"),
    path("<int:person_id>/household/new/", views.household_create_view, name="household_create"),
    path("households/<int:household_id>/", views.household_view, name="household"),
    path("households/<int:household_id>/members/add/", views.household_add_view, name="household_add"),
    path("households/<int:household_id>/head/", views.household_head_view, name="household_head"),
]
