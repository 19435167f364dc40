"""Every page but the login page needs a login: walk the URL conf, so a new view is covered."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages anyone may open: logging in, resetting a forgotten password, switching language.
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "logout",
}


def walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def sample_path(route: str) -> str:
    """A concrete path for a route: converters get a sample value, regexes are stripped."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000001", path)
    path = re.sub(r"<(?:str|slug|path:)?\w*:?\w+>", "x", path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


ALL_ROUTES = sorted({(sample_path(route), pattern.name or "") for route, pattern in walk()})
ROUTES = [(path, name) for path, name in ALL_ROUTES if name not in PUBLIC]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name"), ROUTES)
def test_it_requires_login(client, path, name):
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code in (401, 403), path
        return
    assert response.status_code == 302, f"{path} answered {response.status_code} to an anonymous user"
    assert response["Location"].startswith(("/accounts/login/", "/admin/login/")), path


def test_the_walk_finds_the_pages():
    assert {"home", "login", "set_language"} <= {name for _, name in ALL_ROUTES}


@pytest.mark.django_db
def test_the_public_pages_open_without_a_login(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/accounts/password_reset/").status_code == 200
