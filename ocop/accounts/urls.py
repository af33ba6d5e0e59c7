from django.urls import path

from ocop.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("otp/", views.otp_verify, name="otp_verify"),
    path("otp/enrol/", views.otp_enroll, name="otp_enroll"),
    path("otp/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("security/", views.security, name="security"),
    path("security/password/", views.password_change, name="password_change"),
    path("security/recovery-codes/", views.recovery_regenerate, name="recovery_regenerate"),
    path("register/", views.register, name="register"),
    path("register/done/", views.register_done, name="register_done"),
]
