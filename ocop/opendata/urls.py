from django.urls import path

from ocop.opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("licence/", views.licence, name="licence"),
    path("catalog.jsonld", views.catalog, name="catalog"),
    path("<slug:dataset>.<slug:fmt>", views.download, name="download"),
]
