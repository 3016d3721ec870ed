from django.urls import path

from wangge.core import views

app_name = "core"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/", views.account_view, name="account"),
    path("account/2fa/", views.two_factor_view, name="two_factor"),
    path("account/password/", views.password_change_view, name="password_change"),
    path("account/language/", views.language_view, name="language"),
    path("account/tokens/", views.token_create_view, name="token_create"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("users/", views.users_view, name="users"),
    path("users/new/", views.user_edit_view, name="user_create"),
    path("users/<int:user_id>/", views.user_edit_view, name="user_edit"),
    path("security/", views.security_view, name="security"),
    path("security/unlock/<int:failure_id>/", views.unlock_view, name="unlock"),
    path("security/2fa-reset/<int:user_id>/", views.reset_two_factor_view, name="reset_two_factor"),
    path("audit/", views.audit_view, name="audit"),
    path("audit/export.xlsx", views.audit_export_view, name="audit_export"),
    path("calendar/", views.holidays_view, name="holidays"),
]
