from django.urls import path

from ocop.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("export/", views.export, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/columns/", views.mapping, name="mapping"),
    path("<int:pk>/check/", views.preview, name="preview"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/progress/", views.progress_json, name="progress"),
]
