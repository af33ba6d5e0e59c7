"""Included at the site root: the pages live under "stamps/", the public key set at the
well-known address verifiers look for."""

from django.urls import path

from ocop.stamps import views

app_name = "stamps"
urlpatterns = [
    path("stamps/", views.batch_list, name="batch_list"),
    path("stamps/lot/<int:lot_pk>/issue/", views.batch_create, name="batch_create"),
    path("stamps/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("stamps/<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("stamps/<int:pk>/pdf/", views.batch_pdf, name="batch_pdf"),
    path("stamps/<int:pk>/csv/", views.batch_csv, name="batch_csv"),
    path("stamps/<int:pk>/activate/", views.batch_activate, name="batch_activate"),
    path("stamps/<int:pk>/void/", views.batch_void, name="batch_void"),
    path("stamps/keys/", views.key_list, name="key_list"),
    path("stamps/keys/rotate/", views.key_rotate, name="key_rotate"),
    path(".well-known/ocop-stamp-keys.json", views.public_keys, name="public_keys"),
]
