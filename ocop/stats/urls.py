from django.urls import path

from ocop.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("products/", views.product_list, name="product_list"),
    path("products.xlsx", views.export_xlsx, name="export_xlsx"),
    path("products.csv", views.export_csv, name="export_csv"),
    path("report.pdf", views.export_pdf, name="export_pdf"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/<int:pk>/", views.target_edit, name="target_edit"),
]
