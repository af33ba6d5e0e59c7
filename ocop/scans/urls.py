"""Included at the site root: GS1 Digital Link paths (/01/…), short stamp paths (/S/…, also /s/…) and the
scan pages under "scans/".

The resolver patterns take everything after the key on purpose: any malformed code still reaches the
resolver, which answers with the "not a genuine OCOP stamp" page (404), never Django's generic one.
"""

from django.urls import path, re_path

from ocop.scans import views

app_name = "scans"
urlpatterns = [
    re_path(r"^01/(?P<rest>.*)$", views.gs1, name="gs1"),
    re_path(r"^[Ss]/(?P<rest>.*)$", views.short, name="short"),
    path("scans/place/", views.place, name="place"),
    path("scans/report/", views.report, name="report"),
    path("scans/photos/<int:pk>/", views.photo, name="photo"),
    path("scans/", views.scan_list, name="scan_list"),
    path("scans/alerts/", views.alert_list, name="alert_list"),
    path("scans/alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("scans/alerts/<int:pk>/handle/", views.alert_handle, name="alert_handle"),
]
