from django.urls import path

from ocop.rules import views

app_name = "rules"
urlpatterns = [
    path("", views.rulebook_list, name="rulebook_list"),
    # Before the rulebook addresses: "overrides" would otherwise be read as a rulebook code.
    path("overrides/", views.override_list, name="override_list"),
    path("overrides/new/", views.override_create, name="override_create"),
    path("overrides/<int:pk>/edit/", views.override_edit, name="override_edit"),
    path("overrides/<int:pk>/delete/", views.override_delete, name="override_delete"),
    path("<slug:code>/", views.rulebook_detail, name="rulebook_detail"),
    path("<slug:code>/json/", views.rulebook_json, name="rulebook_json"),
    path("<slug:code>/sheets/<int:number>/", views.sheet_detail, name="sheet_detail"),
    path("<slug:code>/sheets/<int:number>/json/", views.sheet_json, name="sheet_json"),
]
