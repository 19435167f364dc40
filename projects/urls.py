"""The "projects" URL namespace: the pipeline's pages and the ledger's (the names are kept as they
were when these lived in one module; delivery after signing has its own namespace, "delivery")."""

from django.urls import path

from projects.ledger import views as ledger
from projects.pipeline import attachment_views, dispute_views, edit_views, views, zone_views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("export.<str:fmt>", ledger.project_export, name="export"),
    path("board/", views.project_board, name="board"),
    path("new/", views.project_new, name="new"),
    path("new/details/", views.lead_details, name="lead_details"),
    path("new/duplicates/", views.duplicate_check, name="duplicate_check"),
    path("investors/search/", views.investor_search, name="investor_search"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/follow-ups/", views.followup_create, name="followup_create"),
    path("<int:pk>/move/", views.project_move, name="move"),
    # Changing a project: stage and status, details, files, zone page, owner, confidentiality, disputes.
    path("<int:pk>/stage/", edit_views.project_stage, name="project_stage"),
    path("<int:pk>/status/", edit_views.project_status, name="project_status"),
    path("<int:pk>/details/", edit_views.project_details, name="project_details"),
    path("<int:pk>/owner/", edit_views.project_owner, name="project_owner"),
    path("<int:pk>/confidentiality/", edit_views.project_confidentiality, name="project_confidentiality"),
    path("<int:pk>/access-log/", edit_views.project_access_log, name="project_access_log"),
    path("<int:pk>/attachments/new/", attachment_views.attachment_new, name="attachment_new"),
    path("attachments/<int:pk>/", attachment_views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/replace/", attachment_views.attachment_replace_view, name="attachment_replace"),
    path("zones/<int:pk>/", zone_views.zone_projects, name="zone_projects"),
    path("disputes/", dispute_views.disputes, name="disputes"),
    path("disputes/<int:pk>/", dispute_views.dispute_decide, name="dispute_decide"),
    path("import/", ledger.import_start, name="import"),
    path("import/template.xlsx", ledger.import_template, name="import_template"),
    path("import/<int:pk>/", ledger.import_job, name="import_job"),
    path("import/<int:pk>/confirm/", ledger.import_confirm, name="import_confirm"),
]
