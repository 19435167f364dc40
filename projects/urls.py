from django.urls import path

from . import views, views_import
from . import views_delivery as delivery

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("export.<str:fmt>", views.project_export, name="export"),
    path("board/", views.project_board, name="board"),
    path("new/", views.project_new, name="new"),
    path("new/details/", views.lead_details, name="lead_details"),
    path("new/duplicates/", views.duplicate_check, name="duplicate_check"),
    path("investors/search/", views.investor_search, name="investor_search"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/follow-ups/", views.followup_create, name="followup_create"),
    path("<int:pk>/move/", views.project_move, name="move"),
    # Delivery: stage and status changes, files, zone page, owners, confidentiality, disputes.
    path("<int:pk>/stage/", delivery.project_stage, name="project_stage"),
    path("<int:pk>/status/", delivery.project_status, name="project_status"),
    path("<int:pk>/details/", delivery.project_details, name="project_details"),
    path("<int:pk>/owner/", delivery.project_owner, name="project_owner"),
    path("<int:pk>/confidentiality/", delivery.project_confidentiality, name="project_confidentiality"),
    path("<int:pk>/access-log/", delivery.project_access_log, name="project_access_log"),
    path("<int:pk>/attachments/new/", delivery.attachment_new, name="attachment_new"),
    path("attachments/<int:pk>/", delivery.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/replace/", delivery.attachment_replace_view, name="attachment_replace"),
    path("zones/<int:pk>/", delivery.zone_projects, name="zone_projects"),
    path("disputes/", delivery.disputes, name="disputes"),
    path("disputes/<int:pk>/", delivery.dispute_decide, name="dispute_decide"),
    path("import/", views_import.import_start, name="import"),
    path("import/template.xlsx", views_import.import_template, name="import_template"),
    path("import/<int:pk>/", views_import.import_job, name="import_job"),
    path("import/<int:pk>/confirm/", views_import.import_confirm, name="import_confirm"),
]
