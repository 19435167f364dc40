"""Normalising enterprise names so the same investor is recognised across organisations.

"华为技术（深圳）有限公司", "深圳华为技术有限公司" and "华为技术有限公司" all normalise to "华为技术".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from operators.access import visible_projects
from projects.core.errors import PipelineError
from projects.pipeline.models import Investor, PossibleDuplicate, Project

PROVINCES = [
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
]
CITIES = [
    "深圳",
    "广州",
    "苏州",
    "杭州",
    "南京",
    "武汉",
    "成都",
    "西安",
    "合肥",
    "无锡",
    "宁波",
    "厦门",
    "长沙",
    "郑州",
    "济南",
    "青岛",
    "大连",
    "沈阳",
    "哈尔滨",
    "长春",
    "石家庄",
    "太原",
    "福州",
    "南昌",
    "昆明",
    "贵阳",
    "南宁",
    "兰州",
    "西宁",
    "银川",
    "乌鲁木齐",
    "呼和浩特",
    "拉萨",
    "海口",
    "东莞",
    "佛山",
    "珠海",
    "常州",
    "南通",
    "温州",
    "绍兴",
    "嘉兴",
    "金华",
    "台州",
    "徐州",
    "扬州",
    "烟台",
    "潍坊",
    "洛阳",
    "芜湖",
    "江州",
]
PLACES = sorted(PROVINCES + CITIES, key=len, reverse=True)
# Legal forms, written without spaces or punctuation (names are compacted before stripping).
# Longest first, so "股份有限公司" goes before "有限公司".
LEGAL_FORMS = [
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "集团股份有限公司",
    "控股有限公司",
    "控股集团",
    "有限公司",
    "集团公司",
    "总公司",
    "分公司",
    "集团",
    "公司",
    "colimited",
    "coltd",
    "limited",
    "ltd",
    "incorporated",
    "inc",
    "corporation",
    "corp",
    "company",
    "group",
]
LEGAL_FORMS.sort(key=len, reverse=True)
_PLACE_WORD = r"(?:{})(?:省|市|自治区|特别行政区)?".format("|".join(map(re.escape, PLACES)))
# "(深圳)", "（中国）": a place in brackets says where, not who.
_BRACKETED_PLACE = re.compile(r"\(\s*(?:" + _PLACE_WORD + r"|中国)\s*\)")
_LEADING_PLACE = re.compile("^" + _PLACE_WORD)
_NOISE = re.compile(r"[\s\(\)\[\]【】《》<>·.,，、;；:：'\"“”‘’&\-_/]+")
_OPENING = str.maketrans({"〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(", "]": ")"})


# The longest legal form that ends the name, leaving something in front of it: the leftmost
# match of the alternation is the longest suffix.
_LEGAL_SUFFIX = re.compile("(?<=.)(?:" + "|".join(map(re.escape, LEGAL_FORMS)) + ")$", re.DOTALL)


def _strip_legal_forms(text: str) -> str:
    # "xx集团股份有限公司", "xx(集团)有限公司": strip a suffix that a suffix revealed.
    for _round in range(3):
        match = _LEGAL_SUFFIX.search(text)
        if match is None:
            return text
        text = text[: match.start()]
    return text


def normalize_name(name: str) -> str:
    """The comparable core of an enterprise name: full-width folded to half-width, lower case,
    places in brackets or in front removed, punctuation and legal-form suffixes removed."""
    text = unicodedata.normalize("NFKC", name or "").strip().lower().translate(_OPENING)
    text = _BRACKETED_PLACE.sub("", text)
    text = _NOISE.sub("", text)
    text = _strip_legal_forms(text)
    stripped = _LEADING_PLACE.sub("", text)
    # Keep the place when little is left: "江苏银行" and "上海电气" are names, not "银行" in 江苏.
    if len(stripped) >= 3:
        text = _strip_legal_forms(stripped)
    return text


# Tuned on the pairs in tests/test_duplicates.py: after normalising, the same enterprise
# written differently scores 85 or more (e.g. "宁德时代新能源科技" / "宁德时代新能源": 88),
# different enterprises sharing a word score 75 or less ("恒瑞医药" / "恒瑞医疗").
NAME_THRESHOLD = 85
# One name wholly inside the other ("比亚迪汽车" in "比亚迪汽车工业") matches when the shorter
# has at least this many characters; shorter cores ("华为") are too common a prefix.
CONTAINED_MIN_LENGTH = 4
# Names compared per lookup: candidates share the first two characters of the core, or the
# next two (a county name the normaliser does not know may stand in front).
MAX_CANDIDATES = 500
MAX_MATCHES = 20


def name_score(a: str, b: str) -> int:
    """Similarity of two normalised names, 0-100; 0 when either is empty."""
    if not a or not b:
        return 0
    if a == b:
        return 100
    score = round(fuzz.ratio(a, b))
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= CONTAINED_MIN_LENGTH and shorter in longer:
        score = max(score, NAME_THRESHOLD)
    return score


@dataclass(frozen=True)
class InvestorMatch:
    investor_id: int
    matched_by: str  # PossibleDuplicate.MatchedBy
    score: int


@dataclass(frozen=True)
class DuplicateMatch:
    """A project that may court the same investor. `visible` says whether the user may see it:
    when not, only `organization_name` and `stage_label` may be shown."""

    project: object
    matched_by: str
    score: int
    visible: bool

    @property
    def organization_name(self) -> str:
        return self.project.organization.name

    @property
    def stage_label(self) -> str:
        return self.project.get_stage_display()


def find_investors(*, name: str = "", credit_code: str | None = None, investor_id: int | None = None):
    """Investors that are, or may be, the one described: the chosen one, the same credit code,
    or a name that matches after normalising. Best match first."""
    found: dict[int, InvestorMatch] = {}

    def keep(match: InvestorMatch) -> None:
        old = found.get(match.investor_id)
        if old is None or match.score > old.score:
            found[match.investor_id] = match

    if investor_id:
        keep(InvestorMatch(investor_id, PossibleDuplicate.MatchedBy.SAME_INVESTOR, 100))
    if credit_code:
        for pk in Investor.objects.filter(credit_code=credit_code).values_list("pk", flat=True):
            keep(InvestorMatch(pk, PossibleDuplicate.MatchedBy.CREDIT_CODE, 100))
    core = normalize_name(name)
    if len(core) >= 2:
        q = Q(normalized_name=core) | Q(normalized_name__contains=core[:2])
        if len(core) >= 4:
            q |= Q(normalized_name__contains=core[2:4])
        candidates = Investor.objects.filter(q).values_list("pk", "normalized_name")[:MAX_CANDIDATES]
        for pk, other in candidates:
            score = name_score(core, other)
            if score >= NAME_THRESHOLD and pk != investor_id:
                keep(InvestorMatch(pk, PossibleDuplicate.MatchedBy.NAME, score))
    return sorted(found.values(), key=lambda m: -m.score)


def find_duplicates(
    *, user, name: str = "", credit_code: str | None = None, investor_id: int | None = None, exclude_project_id=None
) -> list[DuplicateMatch]:
    """Projects, in any organisation, of the investors `find_investors` finds. Each says whether
    the user may see it; callers show out-of-scope ones by organisation and stage only."""
    investors = {m.investor_id: m for m in find_investors(name=name, credit_code=credit_code, investor_id=investor_id)}
    if not investors:
        return []
    projects = list(
        Project.objects.filter(investor_id__in=investors)
        .exclude(pk=exclude_project_id)
        .select_related("organization", "zone", "investor", "owner")
        .prefetch_related("need_to_know")
        .order_by("-created_at")[:MAX_MATCHES]
    )
    visible = set(
        visible_projects(user, Project.objects.filter(pk__in=[p.pk for p in projects])).values_list("pk", flat=True)
    )
    matches = [
        DuplicateMatch(
            project=p,
            matched_by=investors[p.investor_id].matched_by,
            score=investors[p.investor_id].score,
            visible=p.pk in visible,
        )
        for p in projects
    ]
    return sorted(matches, key=lambda m: (-m.score, not m.visible))


class DuplicatesFound(PipelineError):
    """A lead seems to court an investor another project already courts; the user must confirm."""

    def __init__(self, matches: list[DuplicateMatch]):
        super().__init__(
            _("This investor may already be followed by another project. Check the matches, then save anyway."),
            {"__all__": [_("Possible duplicate.")]},
        )
        self.matches = matches
