from django.urls import path

from ocop.councils import views

app_name = "councils"
urlpatterns = [
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/dossiers/", views.round_add, name="round_add"),
    path("rounds/<int:pk>/council/", views.council_edit, name="council_edit"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/notes/", views.note_add, name="note_add"),
    path("evaluations/<int:pk>/written-opinions/", views.written_opinions, name="written_opinions"),
    path("evaluations/<int:pk>/declare/", views.declare, name="declare"),
    path("evaluations/<int:pk>/score/", views.score, name="score"),
    path("evaluations/<int:pk>/correct/", views.correct, name="correct"),
    path("evaluations/<int:pk>/close/", views.close, name="close"),
    path("evaluations/<int:pk>/decide/", views.decide, name="decide"),
]
