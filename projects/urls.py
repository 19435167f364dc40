from django.urls import path

from . import views

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
]
