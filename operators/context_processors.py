from .access import scope_for


def access(request):
    """The user's scope, for navigation: what the menu shows is what the user can reach."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"scope": scope_for(user)}
