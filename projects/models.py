"""The models of the one Django app "projects", gathered from its sub-packages: Django and
simple-history find every model through this module, and app_label, tables and content types stay
"projects". Code inside projects/ imports each model from its own package."""

from projects.delivery.models import (  # noqa: F401
    AMOUNT_METRICS,
    CommitmentMetric,
    CommitmentReport,
    DeliveryPlan,
    DeliverySettings,
    FundsTranche,
    Milestone,
    MilestoneColour,
    MilestoneKind,
    ServiceRequest,
    SupervisionOrder,
    SupervisionReport,
)
from projects.ledger.models import ImportJob, import_file_path  # noqa: F401
from projects.pipeline.models import (  # noqa: F401
    AMOUNT,
    NON_NEGATIVE,
    Attachment,
    ChainLink,
    ConfidentialAccess,
    FollowUp,
    IndustryChain,
    Investor,
    LostReason,
    PossibleDuplicate,
    Priority,
    Project,
    SourceMode,
    Stage,
    StageChange,
    Status,
    attachment_path,
)
