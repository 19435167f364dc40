"""The one HTML escaping of the pages built in Python (the list's table and filter widgets, the
board's cards, the project page's timeline): what a template does to a value, without the cost of
a template node per value (docs/benchmarks.md, issue 9)."""

from html import escape as _html_escape

from django.utils.safestring import SafeString


def escape(value) -> str:
    """conditional_escape without its lazy-string wrapper (a list page escapes ~500 values): safe
    strings pass as they are, anything else goes through html.escape, as django.utils.html.escape
    does (& < > " ' escaped)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _html_escape(str(value))


def format_html(format_string: str, *args) -> SafeString:
    """django.utils.html.format_html, with the arguments escaped by `escape`."""
    return SafeString(format_string.format(*map(escape, args)))
