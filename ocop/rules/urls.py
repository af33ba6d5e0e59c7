from django.urls import path

from ocop.rules import views

app_name = "rules"
urlpatterns = [
    path("", views.rulebook_list, name="rulebook_list"),
    path("<slug:code>/", views.rulebook_detail, name="rulebook_detail"),
    path("<slug:code>/json/", views.rulebook_json, name="rulebook_json"),
    path("<slug:code>/sheets/<int:number>/", views.sheet_detail, name="sheet_detail"),
    path("<slug:code>/sheets/<int:number>/json/", views.sheet_json, name="sheet_json"),
]
