from django.urls import path

from ocop.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.index, name="index"),
    path("products/<int:pk>/", views.product, name="product"),
    path("producers/<int:pk>/", views.producer, name="producer"),
    # Present-day units by code ("24"); former units with the prefix "old-" ("old-24").
    path("provinces/<str:code>/", views.province, name="province"),
    path("communes/<str:code>/", views.commune, name="commune"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/thumb/", views.photo_thumb, name="photo_thumb"),
    path("go/<int:pk>/", views.shop_link_go, name="shop_link_go"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("shop-links/", views.shop_link_list, name="shop_link_list"),
    path("shop-links/<int:pk>/delete/", views.shop_link_delete, name="shop_link_delete"),
    path("sales-points/", views.sales_point_list, name="sales_point_list"),
    path("sales-points/new/", views.sales_point_create, name="sales_point_create"),
    path("sales-points/<int:pk>/edit/", views.sales_point_edit, name="sales_point_edit"),
    path("sales-points/<int:pk>/delete/", views.sales_point_delete, name="sales_point_delete"),
]
