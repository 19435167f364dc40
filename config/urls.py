from django.contrib import admin
from django.urls import include, path

from projects.api import urls as api_urls
from projects.pipeline.views import my_work
from projects.reporting import views as views_dashboard

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_urls.v1, "api"))),
    path("api/", include(api_urls.schema)),
    path("", my_work, name="home"),
    path("", include("operators.urls")),
    path("projects/", include("projects.urls")),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/ledger.xlsx", views_dashboard.ledger_export, name="dashboard_ledger"),
    path("", include("tasks.urls")),
    path("", include(("projects.delivery.urls", "delivery"))),
]
