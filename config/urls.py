from django.contrib import admin
from django.urls import include, path

from projects import views_dashboard

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("operators.urls")),
    path("projects/", include("projects.urls")),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/ledger.xlsx", views_dashboard.ledger_export, name="dashboard_ledger"),
    path("", include("tasks.urls")),
]
