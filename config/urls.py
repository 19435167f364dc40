from django.contrib import admin
from django.urls import include, path

from projects.views import my_work

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", my_work, name="home"),
    path("", include("operators.urls")),
    path("projects/", include("projects.urls")),
    path("", include("tasks.urls")),
    path("", include(("projects.urls_delivery", "delivery"))),
]
