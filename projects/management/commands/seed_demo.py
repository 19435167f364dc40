"""A believable demo city: 13 zones, their organisations, users for every role, ~300 projects.

Idempotent: everything is looked up by its natural key first, and the projects of a run are
created only when the demo's projects are not there yet, so a second run changes nothing.
The data is drawn from a fixed random seed, so every machine gets the same city.

Over 400 lines on purpose: the demo data is a long list of named records (zones, partners, chains,
names, companies, texts) read top to bottom, then the one command that writes them.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from operators.models import Membership, NotificationPreference, Organization, Role, Zone
from projects.core.amounts import WAN, YI
from projects.core.validators import CHARSET, credit_code_check_char
from projects.pipeline.duplicates import normalize_name
from projects.pipeline.models import (
    ChainLink,
    FollowUp,
    IndustryChain,
    Investor,
    LostReason,
    Project,
    SourceMode,
    Stage,
    StageChange,
    Status,
)

DEMO_PASSWORD = "demo-2026"  # noqa: S105 - printed on purpose: these are demo logins
CITY = "江州市"

ZONES = [
    # name, short name, kind, level, county
    ("江州高新技术产业开发区", "江州高新区", "high_tech", "national", "江北区"),
    ("江州经济技术开发区", "江州经开区", "economic_tech", "national", "江南区"),
    ("江州综合保税区", "江州综保区", "bonded", "national", "江南区"),
    ("自由贸易试验区江州片区", "江州自贸片区", "free_trade", "provincial", "江北区"),
    ("江南现代服务业集聚区", "江南集聚区", "industrial_cluster", "provincial", "江南区"),
    ("清河经济开发区", "清河经开区", "economic_tech", "provincial", "清河县"),
    ("清河产业集聚区", "清河集聚区", "industrial_cluster", "provincial", "清河县"),
    ("云山高新技术产业开发区", "云山高新区", "high_tech", "provincial", "云山县"),
    ("云山工业园区", "云山工业园", "industrial_park", "provincial", "云山县"),
    ("临江经济开发区", "临江经开区", "economic_tech", "provincial", "临江市"),
    ("临江新材料产业园", "临江新材料园", "industrial_park", "provincial", "临江市"),
    ("石桥经济开发区", "石桥经开区", "economic_tech", "provincial", "石桥县"),
    ("石桥产业集聚区", "石桥集聚区", "industrial_cluster", "provincial", "石桥县"),
]
COUNTIES = ["江北区", "江南区", "清河县", "云山县", "临江市", "石桥县"]
# 9 operating companies brought in a professional operator, 4 are still negotiating one.
PARTNERS = [
    "华夏产业运营",
    "中电光谷",
    "联东U谷",
    "启迪之星",
    "中关村发展",
    "张江高科",
    "天安数码城",
    "亿达中国",
    "招商蛇口",
]

CHAINS = {
    "电子信息": [
        ("芯片设计", "upstream"),
        ("晶圆制造", "upstream"),
        ("集成电路封装测试", "midstream"),
        ("电子元器件", "midstream"),
        ("LED照明与驱动", "downstream"),
        ("智能终端整机", "downstream"),
    ],
    "有色金属新材料": [
        ("有色金属冶炼", "upstream"),
        ("铜箔铝箔", "midstream"),
        ("新型合金", "midstream"),
        ("供应链与电商平台", "downstream"),
        ("再生资源回收", "downstream"),
    ],
    "新能源汽车": [
        ("电池材料", "upstream"),
        ("动力电池", "midstream"),
        ("电机电控", "midstream"),
        ("整车制造", "downstream"),
        ("充换电设施", "downstream"),
    ],
    "生物医药": [("原料药", "upstream"), ("创新药制剂", "midstream"), ("医疗器械", "downstream")],
    "高端装备制造": [("基础零部件", "upstream"), ("智能装备整机", "midstream"), ("工业机器人", "downstream")],
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "强",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "晓东",
    "海燕",
    "文博",
    "子涵",
    "雨萱",
    "浩然",
    "思远",
    "佳怡",
]
PREFIXES = [
    "华",
    "中",
    "国",
    "东",
    "恒",
    "瑞",
    "鑫",
    "博",
    "天",
    "金",
    "海",
    "信",
    "宏",
    "科",
    "远",
    "通",
    "达",
    "新",
    "盛",
    "联",
]
MIDDLES = [
    "芯",
    "光",
    "电",
    "材",
    "能",
    "芯源",
    "微",
    "智",
    "创",
    "锐",
    "泰",
    "德",
    "安",
    "润",
    "晟",
    "航",
    "川",
    "宇",
    "辰",
    "拓",
]
SUFFIXES = {
    "电子信息": ["半导体", "微电子", "电子科技", "光电", "集成电路"],
    "有色金属新材料": ["新材料", "铜业", "铝业", "金属科技", "合金"],
    "新能源汽车": ["新能源", "动力科技", "汽车零部件", "电池", "电驱"],
    "生物医药": ["生物医药", "制药", "医疗器械", "生物科技", "药业"],
    "高端装备制造": ["智能装备", "机械", "精密制造", "自动化", "重工"],
}
FORMS = ["有限公司", "股份有限公司", "集团有限公司", "科技有限公司"]
HOME_CITIES = [
    "深圳",
    "上海",
    "苏州",
    "杭州",
    "北京",
    "合肥",
    "武汉",
    "成都",
    "宁波",
    "无锡",
    "广州",
    "厦门",
    "西安",
    "长沙",
]
FUNDS = [
    ("江州市产业引导基金", "江州产业投资集团"),
    ("省新兴产业发展基金", "省投资控股公司"),
    ("江州高新创投基金", "江州高新投资有限公司"),
]
VEHICLES = ["江州城市发展投资集团", "江州国有资本运营公司", "开发区运营公司", "江州产业投资集团"]
FOLLOW_UP_TEXTS = [
    ("call", "电话沟通项目进展，对方确认下周提供项目建议书。", "收集项目建议书"),
    ("visit", "上门拜访企业总部，介绍园区政策和配套条件。", "邀请来园区实地考察"),
    ("site_inspection", "陪同企业高管实地考察园区地块和标准厂房。", "报送用地需求和能耗测算"),
    ("meeting", "召开项目推进会，就用地、能耗指标和扶持政策深入洽谈。", "起草投资协议文本"),
    ("call", "对方反馈董事会已原则同意，等待投资决策流程。", "跟进投资决策结果"),
    ("meeting", "与企业法务就协议条款逐条核对。", "确定签约时间"),
    ("other", "通过以商招商渠道了解到企业扩产计划。", "约见企业负责人"),
]
HEADLINE = [
    # title, investor, link, amount (yuan), source mode, is_top500, is_top100
    ("集成电路芯片封装测试项目", "华芯半导体封装测试股份有限公司", "集成电路封装测试", 150 * YI, "chain", True, True),
    (
        "有色金属供应链产业互联网电商平台项目",
        "中金有色供应链管理集团有限公司",
        "供应链与电商平台",
        50 * YI,
        "fund",
        True,
        False,
    ),
    (
        "智能LED驱动研发及产业化基地项目",
        "瑞光智能照明科技股份有限公司",
        "LED照明与驱动",
        40 * YI,
        "equity",
        False,
        True,
    ),
]
# Stages are skewed to early ones, as in a real pipeline.
STAGE_WEIGHTS = [30, 22, 14, 12, 9, 6, 3, 2, 2]


def make_credit_code(rng: random.Random) -> str:
    region = f"{rng.choice([11, 31, 32, 33, 34, 35, 42, 44, 51])}{rng.randint(0, 9999):04d}"
    body = "91" + region + "".join(rng.choice(CHARSET) for _ in range(9))
    return body + credit_code_check_char(body)


class Command(BaseCommand):
    help = "Create the demo city (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, **options):
        with transaction.atomic():
            created = self.seed()
        self.stdout.write(
            self.style.SUCCESS("Demo data created.") if created else "Demo data already present: nothing changed."
        )
        if not options["quiet_logins"]:
            self.print_logins()

    # -- reference data and people -------------------------------------------------------------

    def seed(self) -> bool:
        self.rng = random.Random(2026)
        self.today = timezone.localdate()
        self.password_hash = make_password(DEMO_PASSWORD)
        zones = self.seed_zones()
        chains = self.seed_chains()
        users = self.seed_people(zones)
        if Project.objects.filter(title=HEADLINE[0][0]).exists():
            return False
        self.seed_projects(zones, chains, users)
        return True

    def seed_zones(self) -> dict:
        zones = {}
        for index, (name, short, kind, level, county) in enumerate(ZONES):
            zone, _ = Zone.objects.get_or_create(
                name=name, defaults={"short_name": short, "kind": kind, "level": level, "county": county}
            )
            engaged = index < len(PARTNERS)
            committee, _ = Organization.objects.get_or_create(
                name=f"{short}管委会", defaults={"kind": "committee", "zone": zone, "county": county}
            )
            company, _ = Organization.objects.get_or_create(
                name=f"{short}开发运营有限公司",
                defaults={
                    "kind": "operating_company",
                    "zone": zone,
                    "county": county,
                    "operator_partner": PARTNERS[index] if engaged else "",
                    "operator_partner_status": "engaged" if engaged else "negotiating",
                },
            )
            zones[name] = {"zone": zone, "committee": committee, "company": company}
        for county in COUNTIES:
            Organization.objects.get_or_create(
                name=f"{county}招商局", defaults={"kind": "county_bureau", "county": county}
            )
        Organization.objects.get_or_create(name=f"{CITY}商务局", defaults={"kind": "city_office", "county": ""})
        return zones

    def seed_chains(self) -> dict:
        chains = {}
        for chain_name, links in CHAINS.items():
            chain, _ = IndustryChain.objects.get_or_create(name=chain_name)
            chains[chain_name] = {
                link: ChainLink.objects.get_or_create(chain=chain, name=link, defaults={"position": pos})[0]
                for link, pos in links
            }
            chains[chain_name]["_chain"] = chain
        return chains

    def user(self, username: str, name: str, org: Organization, role: str, **extra):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": name, "email": f"{username}@example.cn", **extra}
        )
        if created:
            # One hash for every demo user: hashing 50 passwords would take half a minute.
            user.password = self.password_hash
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, organization=org, defaults={"role": role})
        NotificationPreference.objects.get_or_create(user=user)
        return user

    def person(self, index: int) -> str:
        return SURNAMES[index * 7 % len(SURNAMES)] + GIVEN[index * 11 % len(GIVEN)]

    def seed_people(self, zones: dict) -> dict:
        city = Organization.objects.get(name=f"{CITY}商务局")
        users = {"officers": {}, "leads": {}, "operators": {}, "bureau_officers": {}}
        self.user("admin", "系统管理员", city, Role.ADMIN, is_staff=True, is_superuser=True)
        users["city_manager"] = self.user("manager", "周建国", city, Role.MANAGER)
        pref = NotificationPreference.objects.get(user=users["city_manager"])
        if pref.digest_frequency == "none":
            pref.digest_frequency = "weekly"
            pref.save()
        n = 0
        for index, (name, *_rest) in enumerate(ZONES):
            z = zones[name]
            code = f"z{index + 1:02d}"
            officers = [self.user(f"officer_{code}", self.person(n := n + 1), z["committee"], Role.OFFICER)]
            if index == 0:
                officers.append(self.user(f"officer_{code}b", self.person(n := n + 1), z["committee"], Role.OFFICER))
            users["officers"][name] = officers
            users["leads"][name] = self.user(f"lead_{code}", self.person(n := n + 1), z["committee"], Role.TEAM_LEAD)
            users["operators"][name] = self.user(
                f"operator_{code}", self.person(n := n + 1), z["company"], Role.OPERATOR
            )
        for index, county in enumerate(COUNTIES):
            bureau = Organization.objects.get(name=f"{county}招商局")
            users["bureau_officers"][county] = self.user(
                f"bureau_{index + 1:02d}", self.person(n := n + 1), bureau, Role.OFFICER
            )
            self.user(f"county_manager_{index + 1:02d}", self.person(n := n + 1), bureau, Role.MANAGER)
        return users

    # -- projects --------------------------------------------------------------------------------

    def investor(self, name: str, industry: str, top500=False, top100=False) -> Investor:
        investor, _ = Investor.objects.get_or_create(
            name=name,
            defaults={
                "normalized_name": normalize_name(name),
                "credit_code": make_credit_code(self.rng),
                "is_top500": top500,
                "is_industry_top100": top100,
                "industry": industry,
                "home_city": self.rng.choice(HOME_CITIES),
            },
        )
        return investor

    def seed_projects(self, zones: dict, chains: dict, users: dict) -> None:
        rng = self.rng
        high_tech = ZONES[0][0]
        z = zones[high_tech]
        for title, investor_name, link, amount, mode, top500, top100 in HEADLINE:
            investor = self.investor(
                investor_name, "电子信息" if "LED" in title or "芯片" in title else "有色金属新材料", top500, top100
            )
            chain_name = "电子信息" if link in dict(CHAINS["电子信息"]) else "有色金属新材料"
            self.project(
                title=title,
                investor=investor,
                z=z,
                owner=users["officers"][high_tech][0],
                stage=Stage.INTENTION_SIGNED,
                amount=amount,
                mode=mode,
                chain=chains[chain_name]["_chain"],
                link=chains[chain_name][link],
                status=Status.ACTIVE,
                started=self.today - datetime.timedelta(days=200),
                signed_amount=amount,
                priority=1,
            )

        stages = list(Stage)
        modes = list(SourceMode)
        for i in range(297):
            zone_name = ZONES[i % len(ZONES)][0]
            z = zones[zone_name]
            chain_name = rng.choice(list(CHAINS))
            link_name, _ = rng.choice(CHAINS[chain_name])
            investor_name = (
                rng.choice(PREFIXES) + rng.choice(MIDDLES) + rng.choice(SUFFIXES[chain_name]) + rng.choice(FORMS)
            )
            investor = self.investor(investor_name, chain_name, top500=rng.random() < 0.08, top100=rng.random() < 0.15)
            stage = rng.choices(stages, weights=STAGE_WEIGHTS)[0]
            status = rng.choices([Status.ACTIVE, Status.ON_HOLD, Status.LOST], weights=[85, 8, 7])[0]
            # log-normal amounts centred on a few hundred million yuan
            amount = (Decimal(round(rng.lognormvariate(10.2, 1.1))) * WAN).quantize(Decimal("1"))
            bureau_owned = i % 9 == 4
            county = ZONES[i % len(ZONES)][4]
            owner = users["bureau_officers"][county] if bureau_owned else rng.choice(users["officers"][zone_name])
            self.project(
                title=f"{investor_name.replace('股份有限公司', '').replace('集团有限公司', '').replace('科技有限公司', '').replace('有限公司', '')}"
                f"{link_name}项目",
                investor=investor,
                z=z,
                owner=owner,
                stage=stage,
                amount=amount,
                mode=rng.choice(modes),
                chain=chains[chain_name]["_chain"],
                link=chains[chain_name][link_name],
                status=status,
                started=self.today - datetime.timedelta(days=rng.randint(20, 1000)),
                signed_amount=(amount * Decimal(rng.choice(["0.8", "1", "1", "1.1"]))).quantize(Decimal("1")),
                priority=rng.choice([1, 2, 2, 2, 3]),
                organization=owner.memberships.first().organization if bureau_owned else None,
            )

    def project(
        self,
        *,
        title,
        investor,
        z,
        owner,
        stage,
        amount,
        mode,
        chain,
        link,
        status,
        started,
        signed_amount,
        priority,
        organization=None,
    ) -> Project:
        rng = self.rng
        order = Stage.order(stage)
        fields = {
            "title": title,
            "investor": investor,
            "zone": z["zone"],
            "organization": organization or z["committee"],
            "owner": owner,
            "created_by": owner,
            "operating_company": z["company"],
            "source_mode": mode,
            "industry": chain.name,
            "chain": chain,
            "chain_link": link,
            "planned_amount": amount,
            "priority": priority,
            "stage": stage,
            "status": status,
        }
        if mode == SourceMode.FUND:
            fund, manager = rng.choice(FUNDS)
            fields |= {
                "fund_name": fund,
                "fund_manager": manager,
                "fund_committed_amount": (amount * Decimal("0.2")).quantize(Decimal("1")),
                "fund_condition": "被投企业在园区设立生产基地并实现投产",
            }
        elif mode == SourceMode.EQUITY:
            fields |= {
                "equity_vehicle": rng.choice(VEHICLES),
                "equity_stake_pct": Decimal(rng.choice([10, 15, 20, 30])),
                "equity_amount": (amount * Decimal("0.15")).quantize(Decimal("1")),
            }
        elif mode == SourceMode.CHAIN:
            fields |= {"chain_leader": rng.choice(["华芯半导体封装测试股份有限公司", "宁德时代", "京东方", "比亚迪"])}
        elif mode == SourceMode.REFERRAL:
            fields |= {"referrer": rng.choice(["园区企业瑞光电子", "商会会长刘建华", "已落地企业恒通新材料"])}
        else:
            fields |= {
                "source_note": rng.choice(["第二十届中国国际投资贸易洽谈会", "委托第三方招商机构推荐", "主动上门拜访"])
            }

        # Dates of each stage reached, spread between the start and today.
        span = max((self.today - started).days, order + 1)
        stage_dates = sorted(started + datetime.timedelta(days=rng.randint(1, span)) for _ in range(order))
        reached = dict(zip(list(Stage)[1 : order + 1], stage_dates, strict=True))
        if Stage.INTENTION_SIGNED in reached:
            fields |= {"intention_signed_on": reached[Stage.INTENTION_SIGNED], "intention_amount": signed_amount}
        if Stage.CONTRACT_SIGNED in reached:
            fields |= {"contract_signed_on": reached[Stage.CONTRACT_SIGNED], "contract_amount": signed_amount}
        if Stage.REGISTERED in reached:
            fields |= {
                "registered_company": f"江州{investor.name[:6]}有限公司",
                "registered_credit_code": make_credit_code(rng),
                "registered_on": reached[Stage.REGISTERED],
            }
        if Stage.UNDER_CONSTRUCTION in reached:
            fields |= {
                "construction_started_on": reached[Stage.UNDER_CONSTRUCTION],
                "site_location": f"{z['zone'].short_name}{rng.randint(1, 40)}号地块",
                "site_area_mu": Decimal(rng.randint(30, 400)),
                "actual_investment": (signed_amount * Decimal(rng.choice(["0.2", "0.35", "0.5"]))).quantize(
                    Decimal("1")
                ),
            }
        if Stage.IN_PRODUCTION in reached:
            fields |= {
                "production_started_on": reached[Stage.IN_PRODUCTION],
                "actual_investment": (signed_amount * Decimal(rng.choice(["0.7", "0.9", "1"]))).quantize(Decimal("1")),
            }
        if status == Status.LOST:
            fields |= {"lost_reason": rng.choice(LostReason.values), "status_note": "企业最终选择其他地区落户"}
        elif status == Status.ON_HOLD:
            fields |= {
                "status_note": "等待企业完成内部审批",
                "on_hold_until": self.today + datetime.timedelta(days=rng.randint(5, 60)),
            }

        project = Project(**fields)
        project.full_clean()
        project.save()
        Project.objects.filter(pk=project.pk).update(created_at=self._at(started))

        previous = Stage.LEAD
        for to_stage, on in reached.items():
            StageChange.objects.create(
                project=project,
                from_stage=previous,
                to_stage=to_stage,
                changed_at=self._at(on),
                changed_by=owner,
                note="",
            )
            previous = to_stage
        if status != Status.ACTIVE:
            StageChange.objects.create(
                project=project,
                from_stage=stage,
                to_stage=stage,
                from_status=Status.ACTIVE,
                to_status=status,
                changed_at=self._at(self.today - datetime.timedelta(days=3)),
                changed_by=owner,
                note=fields["status_note"],
            )

        # Follow-ups between the start and today; the latest carries the next due date.
        count = rng.randint(1, 5)
        dates = sorted(started + datetime.timedelta(days=rng.randint(0, span)) for _ in range(count))
        follow_up = None
        for on in dates:
            kind, summary, action = rng.choice(FOLLOW_UP_TEXTS)
            follow_up = FollowUp.objects.create(
                project=project,
                kind=kind,
                occurred_on=min(on, self.today),
                summary=summary,
                next_action=action,
                next_due_on=None,
                author=owner,
                visitors="企业副总经理等3人" if kind == "site_inspection" else "",
            )
        if status == Status.ACTIVE and follow_up is not None:
            due = self.today + datetime.timedelta(days=rng.randint(-12, 20))
            FollowUp.objects.filter(pk=follow_up.pk).update(next_due_on=due)
            last = max(dates[-1], *(reached.values() or [dates[-1]]))
            Project.objects.filter(pk=project.pk).update(
                next_follow_up_on=due, last_activity_at=self._at(min(last, self.today))
            )
        else:
            Project.objects.filter(pk=project.pk).update(last_activity_at=self._at(min(dates[-1], self.today)))
        return project

    def _at(self, day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, self.rng.randint(0, 59))))

    def print_logins(self) -> None:
        rows = [
            ("admin", "系统管理员 · administrator"),
            ("manager", "市商务局 · city manager (all zones)"),
            ("county_manager_03", "清河县招商局 · county manager (清河县 zones)"),
            ("officer_z01", "江州高新区管委会 · investment officer"),
            ("lead_z01", "江州高新区管委会 · team lead"),
            ("operator_z01", "江州高新区开发运营有限公司 · operator"),
            ("bureau_01", "江北区招商局 · investment officer"),
        ]
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, what in rows:
            self.stdout.write(f"  {username:<20} {what}")
        self.stdout.write(
            "  officer_zNN / lead_zNN / operator_zNN for zones 01-13, bureau_NN / county_manager_NN for counties 01-06\n"
        )
