"""资金到位 (funds in place) and 资金到位率 (the funds-in-place rate): the one definition and the one
writer of `Project.actual_investment` (docs/metrics.md says it in words).

- A project's funds in place are `Project.actual_investment`. Once the project has funds tranches
  (money received, recorded with its evidence on the delivery plan), that figure is their sum:
  the tranche service of projects.delivery calls `actual_investment_put(current, FROM_TRANCHES)`
  after every tranche recorded or corrected, and a typed figure is refused from then on. A project
  without tranches (imported, or recorded before tranches existed) keeps the figure typed at the
  move into production, on the details form or in a ledger.
- The rate divides the funds in place by the contracted amount (合同投资额):
  `funds_in_place_rate` for one project (also `Project.funds_in_place_rate`) or for sums, and
  `funds_in_place_sums` for many projects, where a project without a contract is in neither sum.
  Every page, digest, export and API field calls these; the population (which projects) is the
  caller's: the dashboard's contracts signed in the period, the delivery overview's signed projects.

The tranches live in projects.delivery, which builds on this package: they are read here through
their reverse relation `Project.funds_tranches`, never imported.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from projects.core.amounts import amount
from projects.core.errors import PipelineError
from projects.pipeline.models import Project, funds_in_place_rate

__all__ = [
    "FROM_TRANCHES",
    "actual_investment_put",
    "from_tranches_note",
    "funds_in_place_rate",
    "funds_in_place_sums",
    "has_tranches",
    "typed_actual_investment_error",
    "with_tranches",
]

FROM_TRANCHES = object()  # the value of actual_investment_put that means "the sum of the tranches"
ZERO = Decimal(0)
AMOUNT_FIELD = DecimalField(max_digits=20, decimal_places=2)
WITH_CONTRACT = Q(contract_amount__gt=0)


def has_tranches(project: Project) -> bool:
    return project.funds_tranches.exists()


def with_tranches(projects: QuerySet) -> QuerySet:
    """The projects of `projects` that have at least one tranche (one query, for a whole ledger)."""
    return projects.filter(funds_tranches__isnull=False).distinct()


def from_tranches_note(project: Project) -> str:
    """What a form says instead of offering the typed figure of a project with tranches."""
    return _(
        "The %(field)s of this project is the sum of its recorded funds tranches (%(amount)s) and cannot "
        "be typed: record or correct a tranche on the delivery plan."
    ) % {
        "field": Project._meta.get_field("actual_investment").verbose_name,
        "amount": amount(project.actual_investment),
    }


def typed_actual_investment_error(project: Project, value, *, tranches: bool) -> str | None:
    """Why `value` cannot be typed as the project's actual investment, or None: once the project
    has tranches (`tranches`), the figure is their sum and only a tranche changes it."""
    if not tranches or value == project.actual_investment:
        return None
    return from_tranches_note(project)


def actual_investment_put(current: Project, value, *, tranches: bool | None = None) -> bool:
    """The one writer of `Project.actual_investment`, on a row its caller has claimed and saves
    (version and history) in the same transaction. `FROM_TRANCHES`: the sum of the project's
    tranches. A typed value: refused with PipelineError on the field once the project has
    tranches (`tranches`, when the caller knows it already). Returns whether the figure changed."""
    if value is FROM_TRANCHES:
        value = current.funds_tranches.aggregate(total=Sum("amount"))["total"]
    elif error := typed_actual_investment_error(
        current, value, tranches=has_tranches(current) if tranches is None else tranches
    ):
        raise PipelineError(error, {"actual_investment": [error]})
    changed = current.actual_investment != value
    current.actual_investment = value
    return changed


def funds_in_place_sums(within: Q | None = None) -> dict:
    """The two sums of 资金到位率 over many projects, as aggregate expressions for `.aggregate()`
    or a grouped `.annotate()`: `funds` (their funds in place; none recorded counts 0) and
    `contracted` (their contracted amounts), over the projects with a contract (and `within`)
    only. The rate is `funds_in_place_rate(funds, contracted)`."""
    only = WITH_CONTRACT & (within or Q())
    return {
        "funds": Coalesce(
            Sum(Coalesce("actual_investment", Value(ZERO)), filter=only), Value(ZERO), output_field=AMOUNT_FIELD
        ),
        "contracted": Coalesce(Sum("contract_amount", filter=only), Value(ZERO), output_field=AMOUNT_FIELD),
    }
