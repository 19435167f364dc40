from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("operators.urls")),
    path("projects/", include("projects.urls")),
    path("", include("tasks.urls")),
    path("", include(("projects.urls_delivery", "delivery"))),
]
