"""The application's error type: services raise it, views turn it into a clear message."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class PipelineError(Exception):
    """A rule said no. `errors` maps a field name (or "__all__") to its message(s)."""

    def __init__(self, message, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class TransitionError(PipelineError):
    """A stage or status change that the rules do not allow, or that lacks its evidence."""


class StaleVersion(PipelineError):
    """The user edited a version of the project that someone else has changed since.

    `changes` lists what changed: (field verbose name, value the user saw, current value)."""

    def __init__(self, changes: list[tuple[str, str, str]] | None = None, current_version: int | None = None):
        super().__init__(
            _("Someone else changed this project after you opened it. Nothing was saved; review their changes."),
            {"__all__": [_("This project was changed by someone else.")]},
        )
        self.changes = changes or []
        self.current_version = current_version


def full_clean(obj, exclude=None, prefix: str = "", error: type[PipelineError] | None = None) -> None:
    """The model's own validation, its field messages as a PipelineError (or `error`, a subclass)
    the form can show (each field name prefixed with `prefix`, for a form whose fields are named
    so, e.g. "investor_")."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = {name if name == "__all__" else f"{prefix}{name}": msgs for name, msgs in exc.message_dict.items()}
        raise (error or PipelineError)(gettext("Please correct the errors below."), errors) from exc
