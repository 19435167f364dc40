"""The board's cards, rendered in one pass.

A board shows up to 270 cards (30 a stage). As template markup each card ran some 35 nodes
(variables with their escaping, filters, the CSRF tag, translations, the return address): most
of the page's time once its SQL was cheap. Here what is the same for every card (link patterns,
labels, the CSRF field, the return address) is worked out once a page, and each card is one
format string whose values are escaped as the template escaped them (projects.core.html.escape).
The markup is the one templates/projects/_board.html had; the columns around the cards stay in
that template.

Why not a template: the board was made one pass for the benchmark (docs/benchmarks.md, issue 9:
2.4x faster); keep a card's markup here and its page around it in the template."""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from projects.core.amounts import amount
from projects.core.confidential import can_see_names, display_investor, display_title
from projects.core.html import escape
from projects.pipeline.history import person
from projects.pipeline.selectors import can_change

CARD = (
    '<article class="card board-card shadow-sm{border}" data-id="{pk}" data-version="{version}"'
    ' data-move-url="{move_url}"{movable}>'
    '<div class="card-body p-2">'
    '<a class="fw-semibold d-block text-truncate" href="{detail_url}" title="{title}">{title}</a>'
    '<div class="small text-body-secondary text-truncate">{investor}{top500}</div>'
    '<div class="d-flex justify-content-between align-items-center small mt-1">'
    '<span class="fw-semibold">{amount}</span>'
    '<span class="text-body-secondary text-truncate ms-2">{owner}</span>'
    "</div>{due}{move}</div></article>"
)
DUE = '<div class="small{overdue}"><i class="bi bi-calendar-event"></i> {date}</div>'
MOVE = (
    '<form class="mt-1" method="post" action="{move_url}" hx-post="{move_url}" hx-target="#board" hx-swap="outerHTML">'
    "{csrf}"
    '<input type="hidden" name="to_stage" value="{to_stage}">'
    '<input type="hidden" name="version" value="{version}">'
    '<input type="hidden" name="next" value="{next}">'
    '<button class="btn btn-sm btn-outline-primary w-100 board-next" type="submit">{move_to} {to_label}'
    ' <i class="bi bi-arrow-right"></i></button>'
    "</form>"
)


def _link(name: str, query: str = "") -> tuple[str, str]:
    """A project's URL as the escaped text around its id: reversed once, not once a card."""
    before, after = reverse(name, args=[987654321]).split("987654321")
    return escape(before), escape(after + query)


def render_cards(request, columns: list[dict]) -> None:
    """Set each column's `cards_html`: its cards, as the board shows them to this user."""
    user, query, today = request.user, request.GET.urlencode(), timezone.localdate()
    detail = _link("projects:detail")
    move = _link("projects:move", f"?{query}" if query else "?")
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
    back, move_to, top500 = escape(request.get_full_path()), escape(_("Move to")), escape(_("Top-500"))
    top500 = f' <span class="badge text-bg-warning">{top500}</span>'
    for column in columns:
        to_stage, to_label = column["next_stage"], escape(str(column["next_label"] or ""))
        html = []
        for card in column["cards"]:
            names = can_see_names(card, user)
            overdue = bool(card.next_follow_up_on and card.status == "active" and card.next_follow_up_on < today)
            movable = can_change(user, card)
            move_url = f"{move[0]}{card.pk}{move[1]}"
            due = ""
            if card.next_follow_up_on:
                due = DUE.format(
                    overdue=" overdue" if overdue else " text-body-secondary", date=card.next_follow_up_on.isoformat()
                )
            form = ""
            if movable and to_stage:
                form = MOVE.format(
                    move_url=move_url,
                    csrf=csrf,
                    to_stage=to_stage,
                    version=card.version,
                    next=back,
                    move_to=move_to,
                    to_label=to_label,
                )
            title = escape(card.title if names else display_title(card, user))
            html.append(
                CARD.format(
                    border=" border-danger" if overdue else "",
                    pk=card.pk,
                    version=card.version,
                    move_url=move_url,
                    movable=' data-movable="1"' if movable else "",
                    detail_url=f"{detail[0]}{card.pk}{detail[1]}",
                    title=title,
                    investor=escape(card.investor.name if names else display_investor(card, user)),
                    top500=top500 if names and card.investor.is_top500 else "",
                    amount=escape(amount(card.planned_amount)),
                    owner=escape(person(card.owner)),
                    due=due,
                    move=form,
                )
            )
        column["cards_html"] = _safe("".join(html))


def _safe(html: str) -> SafeString:
    return mark_safe(html)  # noqa: S308 - every value above went through escape
