from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    path("settings/notifications/", views.preferences, name="preferences"),
    path("settings/organisations/<int:pk>/", views.organization_settings, name="organization_settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/retry/", views.outbox_retry, name="outbox_retry"),
    path("outbox/<int:pk>/", views.outbox_message, name="outbox_message"),
    path("outbox/files/<str:name>/", views.outbox_mail_file, name="outbox_mail_file"),
]
