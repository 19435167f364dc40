"""The amount filters ({{ x|amount }}, wan, yi, percent), defined in projects.core.amounts."""

from projects.core.amounts import register  # noqa: F401
