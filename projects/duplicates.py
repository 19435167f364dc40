"""Normalising enterprise names so the same investor is recognised across organisations.

"华为技术（深圳）有限公司", "深圳华为技术有限公司" and "华为技术有限公司" all normalise to "华为技术".
"""

import re
import unicodedata

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
# Longest first, so "股份有限公司" goes before "有限公司".
LEGAL_FORMS = [
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "集团股份有限公司",
    "控股有限公司",
    "有限公司",
    "集团公司",
    "控股集团",
    "集团",
    "公司",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd",
    "limited",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
    "corporation",
    "corp.",
    "group",
]
LEGAL_FORMS.sort(key=len, reverse=True)
_PLACE_WORD = r"(?:{})(?:省|市|自治区|特别行政区)?".format("|".join(map(re.escape, PLACES)))
_BRACKETED_PLACE = re.compile(r"\(\s*" + _PLACE_WORD + r"\s*\)")
_LEADING_PLACE = re.compile("^" + _PLACE_WORD)
_NOISE = re.compile(r"[\s\(\)\[\]【】《》<>·.,，、'\"“”‘’&\-_/]+")


def normalize_name(name: str) -> str:
    """The comparable core of an enterprise name (width, brackets, suffixes and places removed)."""
    text = unicodedata.normalize("NFKC", name or "").strip().lower()
    text = text.replace("〔", "(").replace("〕", ")")
    text = _BRACKETED_PLACE.sub("", text)
    for _ in range(2):  # "xx集团股份有限公司": strip a suffix that a suffix revealed
        compact = text.rstrip()
        for form in LEGAL_FORMS:
            if compact.endswith(form) and len(compact) > len(form):
                compact = compact[: -len(form)]
                break
        text = compact
    text = _NOISE.sub("", text)
    stripped = _LEADING_PLACE.sub("", text)
    # Keep the place when it is the whole name ("江苏" alone is not a company core).
    if len(stripped) >= 2:
        text = stripped
    for form in LEGAL_FORMS:
        if text.endswith(form) and len(text) > len(form):
            text = text[: -len(form)]
            break
    return text
