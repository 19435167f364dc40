"""URLs of the REST API. Every view is exempt from the login-redirect middleware: DRF
authenticates (session or token) and answers 401/403 as JSON instead of redirecting."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from projects.api import views as api

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False
router.register("projects", api.ProjectViewSet, basename="project")
router.register("follow-ups", api.FollowUpViewSet, basename="followup")
router.register("stage-changes", api.StageChangeViewSet, basename="stagechange")
router.register("investors", api.InvestorViewSet, basename="investor")
router.register("zones", api.ZoneViewSet, basename="zone")
router.register("organizations", api.OrganizationViewSet, basename="organization")


def _open(patterns):
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns


v1 = _open([*router.urls, path("auth/token/", obtain_auth_token, name="api-token")])
schema = [
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", login_not_required(SpectacularSwaggerView.as_view(url_name="schema")), name="api-docs"),
    path("redoc/", login_not_required(SpectacularRedocView.as_view(url_name="schema")), name="api-redoc"),
]
