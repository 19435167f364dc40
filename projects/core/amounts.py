"""Amounts are exact yuan (Decimal) in the database and shown in 万元 or 亿元: formatting
happens here and nowhere else."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()

WAN = Decimal(10_000)
YI = Decimal(100_000_000)


def _group(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def wan(yuan, places: int = 2) -> str:
    """5000000 → "500 万元"."""
    if yuan in (None, ""):
        return "—"
    return _("%(amount)s 万元") % {"amount": _group(Decimal(yuan) / WAN, int(places))}


@register.filter
def yi(yuan, places: int = 2) -> str:
    """24000000000 → "240 亿元"."""
    if yuan in (None, ""):
        return "—"
    return _("%(amount)s 亿元") % {"amount": _group(Decimal(yuan) / YI, int(places))}


@register.filter
def amount(yuan) -> str:
    """亿元 from 1 亿 up, 万元 below: what a ledger reader expects."""
    if yuan in (None, ""):
        return "—"
    return yi(yuan) if abs(Decimal(yuan)) >= YI else wan(yuan)


def ratio(numerator, denominator) -> Decimal | None:
    """numerator ÷ denominator as an exact Decimal, the one division behind every rate; None ("—")
    when there is nothing to divide by, and a numerator not recorded counts as 0."""
    if not denominator:
        return None
    return Decimal(numerator or 0) / Decimal(denominator)


@register.filter
def percent(ratio, places: int = 1) -> str:
    if ratio in (None, ""):
        return "—"
    return f"{_group(Decimal(ratio) * 100, int(places))}%"
