from django.urls import path

from ocop.traceability import views

app_name = "traceability"

urlpatterns = [
    path("lots/", views.lot_list, name="lot_list"),
    path("lots/new/", views.lot_create, name="lot_create"),
    path("lots/<int:pk>/", views.lot_detail, name="lot_detail"),
    path("lots/<int:pk>/edit/", views.lot_edit, name="lot_edit"),
    path("lots/<int:pk>/events/new/", views.event_create, name="event_create"),
    path("lots/<int:pk>/epcis/", views.lot_epcis, name="lot_epcis"),
    path("lots/<int:pk>/epcis/import/", views.lot_epcis_import, name="lot_epcis_import"),
]
