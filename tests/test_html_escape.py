"""The one escaping of the pages built in Python (list, board, timeline, filter widgets): what a
template does to a value, so a hand-built page shows exactly what its template would."""

import pytest
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from projects.core.html import escape, format_html


@pytest.mark.parametrize(
    "value",
    [
        '<script>alert("x")</script>',
        "A & B's",
        "张三 <总经理>",
        12,
        None,
        gettext_lazy("Overdue"),
        mark_safe("<b>ok</b>"),
    ],
)
def test_it_escapes_as_a_template_does(value):
    assert escape(value) == conditional_escape(value)


def test_a_safe_string_is_not_escaped_twice():
    """The board and the timeline used html.escape, which escapes even marked-safe HTML; the
    template's rule (and the list's) won: safe HTML passes as it is."""
    assert escape(mark_safe("<i>x</i>")) == "<i>x</i>"
    assert format_html("<p>{}{}</p>", mark_safe("<i>x</i>"), "<y>") == "<p><i>x</i>&lt;y&gt;</p>"
