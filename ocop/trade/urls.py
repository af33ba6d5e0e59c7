from django.urls import path

from ocop.trade import views

app_name = "trade"

urlpatterns = [
    path("products/<int:product_id>/inquiry/", views.inquiry_new, name="inquiry_new"),
    path("inquiries/", views.inbox, name="inbox"),
    path("inquiries/<int:pk>/", views.inquiry_detail, name="inquiry_detail"),
    path("inquiries/<int:pk>/answer/", views.inquiry_answer, name="inquiry_answer"),
    path("inquiries/<int:pk>/status/", views.inquiry_status, name="inquiry_status"),
    path("statistics/", views.stats, name="stats"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/publish/", views.event_publish, name="event_publish"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<int:pk>/register/", views.event_register, name="event_register"),
    path("registrations/<int:pk>/decide/", views.registration_decide, name="registration_decide"),
]
