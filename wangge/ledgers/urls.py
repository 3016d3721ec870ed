from django.urls import path

from wangge.ledgers import views

app_name = "ledgers"
urlpatterns = [
    path("", views.imports_view, name="imports"),
    path("template.xlsx", views.blank_template_view, name="template"),
    path("kinds/<slug:kind>/", views.imports_view, name="kind_imports"),
    path("kinds/<slug:kind>/template.xlsx", views.blank_template_view, name="kind_template"),
    path("imports/<uuid:job_id>/", views.import_view, name="import"),
    path("imports/<uuid:job_id>/check/", views.import_check_view, name="import_check"),
    path("imports/<uuid:job_id>/confirm/", views.import_confirm_view, name="import_confirm"),
    path("imports/<uuid:job_id>/cancel/", views.import_cancel_view, name="import_cancel"),
    path("imports/<uuid:job_id>/restart/", views.import_restart_view, name="import_restart"),
    path("imports/<uuid:job_id>/progress/", views.import_progress_view, name="import_progress"),
    path("imports/<uuid:job_id>/report.xlsx", views.import_report_view, name="import_report"),
    path("imports/<uuid:job_id>/slips/", views.import_slips_view, name="import_slips"),
    path("imports/<uuid:job_id>/template/", views.import_template_save_view, name="import_template_save"),
    path("exports/<uuid:job_id>/", views.export_view, name="export"),
    path("exports/<uuid:job_id>/restart/", views.export_restart_view, name="export_restart"),
]
