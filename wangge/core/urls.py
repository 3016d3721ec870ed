from django.urls import path

from wangge.core.views import account, audit, holidays, security, sign_in, users

app_name = "core"
urlpatterns = [
    path("login/", sign_in.login_view, name="login"),
    path("logout/", sign_in.logout_view, name="logout"),
    path("account/", account.account_view, name="account"),
    path("account/2fa/", sign_in.two_factor_view, name="two_factor"),
    path("account/password/", sign_in.password_change_view, name="password_change"),
    path("account/language/", account.language_view, name="language"),
    path("account/tokens/", account.token_create_view, name="token_create"),
    path("account/tokens/<int:token_id>/revoke/", account.token_revoke_view, name="token_revoke"),
    path("users/", users.users_view, name="users"),
    path("users/new/", users.user_edit_view, name="user_create"),
    path("users/<int:user_id>/", users.user_edit_view, name="user_edit"),
    path("security/", security.security_view, name="security"),
    path("security/unlock/<int:failure_id>/", security.unlock_view, name="unlock"),
    path("security/2fa-reset/<int:user_id>/", security.reset_two_factor_view, name="reset_two_factor"),
    path("audit/", audit.audit_view, name="audit"),
    path("audit/export.xlsx", audit.audit_export_view, name="audit_export"),
    path("calendar/", holidays.holidays_view, name="holidays"),
]
