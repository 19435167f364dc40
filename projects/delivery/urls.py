"""Delivery after the signature (namespace "delivery")."""

from django.urls import path

from projects.delivery import supervision_views, views

urlpatterns = [
    path("delivery/", views.overview, name="overview"),
    path("projects/<int:pk>/delivery/", views.plan, name="plan"),
    path("projects/<int:pk>/delivery/start/", views.start, name="start"),
    path("projects/<int:pk>/delivery/plan/", views.milestones_plan, name="milestones_plan"),
    path("projects/<int:pk>/delivery/milestone/", views.milestone_record, name="milestone_record"),
    path("projects/<int:pk>/delivery/commitments/", views.commitments, name="commitments"),
    path("projects/<int:pk>/delivery/commitments/report/", views.commitment_report, name="commitment_report"),
    path("projects/<int:pk>/delivery/funds/", views.tranche_record, name="tranche_record"),
    path("projects/<int:pk>/delivery/funds/<int:tranche_pk>/", views.tranche_correct_form, name="tranche_correct_form"),
    path("projects/<int:pk>/delivery/funds/<int:tranche_pk>/correct/", views.tranche_correct, name="tranche_correct"),
    path("projects/<int:pk>/delivery/handover/", supervision_views.hand_over, name="hand_over"),
    path("projects/<int:pk>/delivery/requests/", supervision_views.service_request_open, name="request_open"),
    path(
        "projects/<int:pk>/delivery/requests/<int:item_pk>/close/",
        supervision_views.service_request_close,
        name="request_close",
    ),
    path("projects/<int:pk>/delivery/leader/", supervision_views.assign_leader, name="leader"),
    path("projects/<int:pk>/delivery/orders/", supervision_views.order_issue, name="order_issue"),
    path(
        "projects/<int:pk>/delivery/orders/<int:order_pk>/acknowledge/",
        supervision_views.order_acknowledge,
        name="order_acknowledge",
    ),
    path(
        "projects/<int:pk>/delivery/orders/<int:order_pk>/report/", supervision_views.order_report, name="order_report"
    ),
    path("projects/<int:pk>/delivery/orders/<int:order_pk>/close/", supervision_views.order_close, name="order_close"),
]
