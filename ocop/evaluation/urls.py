from django.urls import path

from ocop.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("dossiers/", views.dossier_list, name="dossier_list"),
    path("dossiers/new/", views.dossier_create, name="dossier_create"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/edit/", views.dossier_edit, name="dossier_edit"),
    path("dossiers/<int:pk>/self-assessment/", views.self_assessment, name="self_assessment"),
    path("dossiers/<int:pk>/submit/", views.dossier_submit, name="dossier_submit"),
    path("dossiers/<int:pk>/pdf/", views.dossier_pdf, name="dossier_pdf"),
    path("dossiers/<int:pk>/evidence/<int:evidence_pk>/", views.dossier_evidence, name="dossier_evidence"),
    path("commune/", views.commune_queue, name="commune_queue"),
    path("dossiers/<int:pk>/commune-report/", views.commune_report, name="commune_report"),
    path("dossiers/<int:pk>/commune-decision/", views.commune_decide, name="commune_decide"),
    path("holidays/", views.holiday_list, name="holiday_list"),
    path("holidays/new/", views.holiday_create, name="holiday_create"),
    path("holidays/<int:pk>/edit/", views.holiday_edit, name="holiday_edit"),
    path("holidays/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
]
