from django.urls import path

from . import views_import

app_name = "projects"

urlpatterns = [
    path("import/", views_import.import_start, name="import"),
    path("import/template.xlsx", views_import.import_template, name="import_template"),
    path("import/<int:pk>/", views_import.import_job, name="import_job"),
    path("import/<int:pk>/confirm/", views_import.import_confirm, name="import_confirm"),
]
