from django.urls import path

from . import views_delivery as delivery

urlpatterns: list = [
    # Delivery (issue 4): stage and status changes, files, zone page, owners, confidentiality, disputes.
    path("<int:pk>/delivery/", delivery.project_delivery, name="project_delivery"),
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
]
