from django.urls import path

from ocop.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("verify/", views.verify, name="verify"),
    path("export.csv", views.export, name="export"),
]
