from django.urls import path, re_path

from ocop.certificates import views

app_name = "certificates"
urlpatterns = [
    path("register/", views.register, name="register"),
    # The token printed in the QR code (see models.new_verification_token); never an id.
    re_path(r"^verify/(?P<token>[A-Za-z0-9_-]{16,32})/$", views.verify, name="verify"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
]
