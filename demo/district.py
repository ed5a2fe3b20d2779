"""District-scale demo data (`load_demo_content --scale district`).

About 90 communities over six sub-districts, grids with their workers and moderators,
1,000 merchants, 2,000 news articles, 500 notices, quarterly honour rolls and 100,000
grievance cases over two years with their events. Everything is invented and generated
from a fixed seed, so two runs build the same district.

Rows go in with bulk_create. Pages are saved one by one with the tree fields computed here
(as treebeard's add_child would) and one live revision each, created in bulk; search and
reference index updates are skipped per save, and the caller rebuilds both once. District rows are recognised by
the `dist-` prefix of community slugs, page slugs and usernames and the `district-` prefix
of case submission keys, which is how --reset finds them again.
"""

import contextlib
import datetime
import random
import time
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone
from wagtail.models import Page, Revision
from wagtail.search import index
from wagtail.search.signal_handlers import post_save_signal_handler
from wagtail.signal_handlers import disable_reference_index_auto_update

from alliance.models import Community, Grid, GridArea, Merchant
from bulletins.models import (
    HonourEntry,
    HonourRollIndexPage,
    HonourRollPage,
    NewsIndexPage,
    NewsPage,
    NoticeIndexPage,
    NoticePage,
    WarningEntry,
)
from casework.models import CaseCategory, CaseEvent, DailySequence, GrievanceReport, hash_secret
from casework.transitions import MACHINE, event_for
from home import searchindex

from .build import credit_code, demo_mobile, demo_phone

SHANGHAI = ZoneInfo("Asia/Shanghai")
PREFIX = "dist-"
CASE_KEY_PREFIX = "district-"
DIVISION_CODE = "620103"
BATCH = 5000
S = GrievanceReport.State

# Six sub-districts of fifteen communities each; the names are invented.
STREETS = {
    "东岗街道": "安居 宁和 春晖 秀水 锦华 嘉园 松柏 桃源 翠屏 紫荆 丰乐 永安 康宁 瑞祥 泰和",
    "西湖街道": "文昌 兴隆 长青 明德 华林 清风 朝阳 映月 金桥 银河 玉泉 碧波 柳荫 杏花 梧桐",
    "南关街道": "樱园 兰亭 竹苑 梅林 荷塘 芳草 绿洲 彩虹 星光 晨曦 新村 东风 红星 光明 胜利",
    "北园街道": "团结 友谊 建设 前进 民主 和谐 振兴 东方 南山 北辰 西苑 中山 滨河 雁滩 七里",
    "临河街道": "五泉 白塔 金沙 银滩 铁路 电力 机械 纺织 邮电 师苑 农科 林场 水厂 钢城 石化",
    "青云街道": "体育 博览 科技 华亭 秦安 陇西 天水 敦煌 嘉峪 敬业 育才 和平 安乐 庆丰 望河",
}
ROADS = (
    "解放路 民主路 建设路 和平路 中山路 滨河路 庆阳路 酒泉路 张掖路 武都路 "
    "静宁路 金昌路 平凉路 天水路 定西路 临夏路 兰山路 皋兰路 五泉路 南昌路"
).split()
NUMERALS = "一二三四五六七八九十"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "建军 秀兰 德明 桂英 志强 海燕 国庆 丽华 文斌 玉梅 红霞 晓东 春生 淑芬 永刚 雪梅 立新 金花 振华 小军".split()

TRADES = {
    "restaurant": ["牛肉面馆", "饺子馆", "烧烤店", "川菜馆", "砂锅店", "包子铺", "面皮店", "火锅店"],
    "supermarket": ["便利店", "生鲜超市", "粮油店", "果蔬店"],
    "clinic": ["中医诊所", "推拿馆"],
    "barber": ["理发店", "美发工作室", "美容院"],
    "tutoring": ["书法班", "美术培训", "托管中心"],
    "estate_agent": ["房产中介", "置业服务部"],
    "shop": ["五金店", "文具店", "花店", "眼镜店", "鞋店"],
    "services": ["洗衣店", "修鞋配钥匙", "家电维修", "快递驿站", "裁缝铺"],
    "other": ["照相馆", "打印店"],
}
TRADE_WEIGHTS = {
    "restaurant": 30,
    "supermarket": 14,
    "clinic": 5,
    "barber": 10,
    "tutoring": 6,
    "estate_agent": 5,
    "shop": 14,
    "services": 12,
    "other": 4,
}

# What residents write, by category; {road}/{shop}/{n} are filled in per case.
COMPLAINTS = {
    "noise": [
        "{shop}每晚十一点后还在放音乐，楼上老人睡不着",
        "{road}{n}号楼下的空调外机噪音很大，夜里嗡嗡响",
        "隔壁装修每天早上七点就开始打钻，周末也不停",
        "{shop}门口音箱揽客声音太大，孩子写作业受影响",
    ],
    "cooking_fumes": [
        "{shop}排烟管直接对着居民楼，油烟熏得不敢开窗",
        "{road}夜市烧烤油烟大，晾在外面的衣服都是味",
        "{shop}油烟净化器好像没开，楼道里全是油烟",
    ],
    "street_occupation": [
        "{shop}把货架摆到人行道上，推婴儿车过不去",
        "{road}{n}号门口长期堆放纸箱，堵了消防通道",
        "早市摊位占满{road}路口，上班车辆走不动",
    ],
    "drains": [
        "{road}{n}号楼下下水道堵了，污水漫到路面",
        "小区化粪池外溢，味道很大，请尽快处理",
        "{shop}后厨把油污倒进雨水井，井盖周围全是油",
    ],
    "parking": [
        "{road}{n}号门口常有车辆乱停，堵住单元门",
        "非机动车占用盲道，老人出门不方便",
        "{shop}的送货车每天占用小区车位卸货",
    ],
    "hygiene": [
        "{road}垃圾箱满了两天没人清运，招苍蝇",
        "{shop}门前的垃圾每天晚上堆在路边",
        "小区{n}号楼背后有卫生死角，建筑垃圾没人管",
    ],
    "safety": [
        "{road}{n}号楼有人从窗户私拉电线给电动车充电",
        "{shop}门口液化气罐露天存放，旁边就是居民楼",
        "楼道里堆满杂物，消防栓被挡住了",
    ],
    "dispute": [
        "和{shop}因为排水问题发生争执，希望社区出面调解",
        "楼上邻居漏水到我家，协商不成，请网格员协调",
        "{shop}的顾客经常把车停在我家门口，沟通几次没有改善",
    ],
    "other": [
        "{road}路灯坏了一个多月，晚上回家很黑",
        "希望在{road}附近增设老年人休息座椅",
        "小区门口的公告栏破损，通知看不清楚",
    ],
}
CATEGORY_WEIGHTS = {
    "noise": 22,
    "cooking_fumes": 14,
    "street_occupation": 14,
    "drains": 8,
    "parking": 14,
    "hygiene": 12,
    "safety": 5,
    "dispute": 6,
    "other": 5,
}
NOTES = {
    "accept": ["已受理，转网格员核实。", "已受理，将尽快安排处理。"],
    "decline": ["经核实不属于社区处理范围，已告知反映人向相关部门反映。", "反映内容不具体，无法核实，请补充后再报。"],
    "mark_duplicate": ["与此前工单反映的是同一问题，合并办理。"],
    "dispatch": ["请今天内上门核实情况。", "请联系商户当面沟通整改。", "请会同物业一起处理。"],
    "start": ["已到现场查看。", "已联系商户负责人。"],
    "resolve": [
        "已约谈商户负责人，商户承诺整改并签订承诺书，复查已整改到位。",
        "已协调物业和环卫清理完毕，现场已恢复。",
        "已联系维修单位处理，问题已解决。",
        "经调解双方达成一致，问题已化解。",
    ],
    "follow_up": ["电话回访，反映人表示问题已解决。", "上门回访，居民认可处理结果。"],
    "close": ["归档。"],
    "supervise": ["超过办结期限，请抓紧办理并说明原因。"],
}
NEWS_TOPICS = [
    ("召开商居联盟议事会", "商户代表和居民代表围绕{topic}展开讨论，形成三条共识。"),
    ("开展门前三包联合检查", "网格员和联盟商户一起检查门前卫生、秩序和绿化，当场整改问题{n}处。"),
    ("组织志愿服务进小区", "{n}家联盟商户为老人提供理发、磨刀、小家电维修等免费服务。"),
    ("举办便民集市", "集市设摊位{n}个，居民凭志愿积分可兑换商品。"),
    ("油烟整治回头看", "对此前加装净化设备的{n}家餐饮店逐一复查，运行情况良好。"),
    ("新增联盟商户签约", "{n}家商户签署商居共建自治公约，正式加入联盟。"),
    ("夜间经营噪音专项治理", "走访夜间经营商户{n}家，约定十点后降低音量。"),
    ("消防安全培训进商铺", "消防站教官为{n}家沿街商户讲解灭火器使用和疏散要点。"),
    ("为独居老人送餐上门", "联盟餐饮商户本月为{n}位独居老人送餐。"),
    ("垃圾分类宣传周", "商户和居民一起学习分类知识，设置宣传点{n}个。"),
]
NEWS_TOPIC_WORDS = ["占道经营", "油烟扰民", "停车秩序", "夜间噪音", "垃圾清运", "志愿积分兑换"]
NEWS_TAGS = ["议事协商", "门前三包", "志愿服务", "便民集市", "油烟治理", "消防安全", "垃圾分类", "为老服务"]
NOTICE_KINDS = [
    ("market_day", "便民集市", "社区广场"),
    ("meeting", "商居联盟议事会", "社区党群服务中心二楼会议室"),
    ("volunteer", "志愿服务日", "社区服务站门前"),
    ("notice", "停水停电通知", "相关楼栋"),
]
HONOUR_TITLES = ["civilised"] * 5 + ["red_flag", "party_pioneer", "volunteer"]
CITATIONS = [
    "门前三包常年落实到位",
    "主动加装油烟净化设备",
    "长期为独居老人送餐",
    "带头参与志愿服务",
    "诚信经营，零投诉",
    "积极调解邻里矛盾",
]
WARNING_REASONS = [
    ("多次占道经营，经劝导未整改", "已撤回店外货架"),
    ("油烟净化设备长期不开", "已清洗并正常使用"),
    ("夜间经营噪音扰民被多次反映", "已调整营业时间"),
]


# What a district shop offers follows from its services, so the directory's search and filters
# find the same shops (送货 and 积分 in the offers, the flags behind 为老送货上门 and 可用积分).
OFFER_LINES = ("六十岁以上老人九折", "环卫工人免费饮水", "雨天免费借伞", "可代收快递")


def district_offers(merchant):
    lines = [OFFER_LINES[sum(map(ord, merchant.name)) % len(OFFER_LINES)]]
    if merchant.elderly_delivery:
        lines.append("老人满 30 元免费送货上门，可电话预约")
    if merchant.accepts_volunteer_points:
        lines.append("接受志愿者积分抵扣")
    return "；".join(lines) + "。"


def _weighted(rng, weights):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _person(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def exists():
    return Community.objects.filter(slug__startswith=PREFIX).exists()


def reset(stdout=None):
    """Remove what a district load created (cases first: they protect grids and categories)."""
    cases = GrievanceReport.objects.filter(submission_key__startswith=CASE_KEY_PREFIX)
    GrievanceReport.objects.filter(duplicate_of__in=cases).update(duplicate_of=None)
    CaseEvent.objects.filter(report__in=cases).delete()
    cases.delete()
    # treebeard's queryset delete keeps numchild and paths right for the parents.
    Page.objects.filter(slug__startswith=PREFIX).delete()
    merchants = Merchant.objects.filter(community__slug__startswith=PREFIX)
    HonourEntry.objects.filter(merchant__in=merchants).delete()
    WarningEntry.objects.filter(merchant__in=merchants).delete()
    merchants.delete()
    GridArea.objects.filter(grid__community__slug__startswith=PREFIX).delete()
    Grid.objects.filter(community__slug__startswith=PREFIX).delete()
    Community.objects.filter(slug__startswith=PREFIX).delete()
    get_user_model().objects.filter(username__startswith=PREFIX).delete()


@contextlib.contextmanager
def index_updates_deferred():
    """No search or reference index update per save (a page saves three times on the way to
    published), nor of the site search's own (home/searchindex.py); whoever builds rebuilds all
    three once afterwards."""
    disconnected = [
        model for model in index.get_indexed_models() if post_save.disconnect(post_save_signal_handler, sender=model)
    ]
    try:
        with disable_reference_index_auto_update(), searchindex.updates_deferred():
            yield
    finally:
        for model in disconnected:
            post_save.connect(post_save_signal_handler, sender=model)


class DistrictBuilder:
    """Builds the district; `counts` and `timings` say what it made and how long each part took."""

    def __init__(self, cases=100_000, merchants=1000, news=2000, notices=500, seed=2026, now=None, stdout=None):
        self.n_cases, self.n_merchants, self.n_news, self.n_notices = cases, merchants, news, notices
        self.rng = random.Random(seed)
        self.now = now or timezone.now()
        self.stdout = stdout
        self.counts = Counter()
        self.timings = {}

    def _step(self, name, function, *args):
        started = time.perf_counter()
        with transaction.atomic(), index_updates_deferred():
            function(*args)
        self.timings[name] = time.perf_counter() - started
        if self.stdout:
            self.stdout.write(f"  {name}: {self.timings[name]:.1f} 秒\n")

    def build(self, pages=True):
        self._step("社区、网格和工作人员", self.build_registry)
        self._step("商户", self.build_merchants)
        if pages:
            self._step("新闻、通知和红黑榜页面", self.build_pages)
        self._step("工单和办理记录", self.build_cases)
        return self

    # --- Registry ---

    def build_registry(self):
        User = get_user_model()
        rng = self.rng
        communities = []
        for s, (street, words) in enumerate(STREETS.items()):
            for c, word in enumerate(words.split()):
                communities.append(
                    Community(
                        name=f"{word}社区",
                        slug=f"{PREFIX}{s + 1}{c + 1:02d}",
                        sub_district=street,
                        address=f"{rng.choice(ROADS)} {rng.randint(1, 300)} 号",
                        phone=f"0931-8{rng.randint(0, 9999999):07d}",
                        households=rng.randint(1500, 6500),
                    )
                )
        Community.objects.bulk_create(communities)
        self.communities = list(Community.objects.filter(slug__startswith=PREFIX).order_by("slug"))

        grids = []
        for community in self.communities:
            for g in range(rng.randint(4, 8)):
                grids.append(Grid(community=community, name=f"第{NUMERALS[g]}网格", code=f"{community.slug}-{g + 1}"))
        Grid.objects.bulk_create(grids)
        self.grids = list(Grid.objects.filter(community__slug__startswith=PREFIX).order_by("community__slug", "code"))
        self.grids_of = defaultdict(list)
        areas = []
        for grid in self.grids:
            self.grids_of[grid.community_id].append(grid)
            road = rng.choice(ROADS)
            word = grid.community.name.removesuffix("社区")
            areas.append(GridArea(grid=grid, kind="street", name=road, chief=_person(rng), sort_order=0))
            for b in range(2):
                building = f"{word}小区 {rng.randint(1, 30)} 号楼"
                areas.append(GridArea(grid=grid, kind="building", name=building, chief=_person(rng), sort_order=b + 1))
        GridArea.objects.bulk_create(areas)
        self.roads = {a.grid_id: a.name for a in areas if a.kind == "street"}
        self.buildings = defaultdict(list)
        for area in areas:
            if area.kind == "building":
                self.buildings[area.grid_id].append(area.name)

        # Demo staff cannot log in until someone sets a password (manage.py changepassword).
        users = []
        for community in self.communities:
            name = _person(rng)
            users.append(
                User(username=f"{PREFIX}m{community.slug[len(PREFIX) :]}", first_name=name[1:], last_name=name[0])
            )
        for grid in self.grids:
            name = _person(rng)
            users.append(User(username=f"{PREFIX}w{grid.code[len(PREFIX) :]}", first_name=name[1:], last_name=name[0]))
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_create(users)
        by_name = {u.username: u for u in User.objects.filter(username__startswith=PREFIX)}
        self.moderator_of = {c.pk: by_name[f"{PREFIX}m{c.slug[len(PREFIX) :]}"] for c in self.communities}
        self.worker_of = {g.pk: by_name[f"{PREFIX}w{g.code[len(PREFIX) :]}"] for g in self.grids}
        moderators, workers = Group.objects.get(name="审核"), Group.objects.get(name="网格员")
        Membership = User.groups.through
        Membership.objects.bulk_create(
            [Membership(user=u, group=moderators) for u in self.moderator_of.values()]
            + [Membership(user=u, group=workers) for u in self.worker_of.values()]
        )
        Moderates = Community.moderators.through
        Moderates.objects.bulk_create([Moderates(community_id=c, user=u) for c, u in self.moderator_of.items()])
        Works = Grid.workers.through
        Works.objects.bulk_create([Works(grid_id=g, user=u) for g, u in self.worker_of.items()])
        self.counts.update(community=len(self.communities), grid=len(self.grids), user=len(users))

    # --- Merchants ---

    def build_merchants(self):
        rng = self.rng
        merchants, names = [], set()
        statuses = {"member": 85, "applicant": 8, "suspended": 4, "withdrawn": 3}
        while len(merchants) < self.n_merchants:
            community = rng.choice(self.communities)
            grid = rng.choice(self.grids_of[community.pk])
            category = _weighted(rng, TRADE_WEIGHTS)
            surname = rng.choice(SURNAMES)
            stem = rng.choice(
                [f"老{surname}", f"{surname}记", f"{surname}家", community.name[:2], rng.choice(ROADS)[:2]]
            )
            name = stem + rng.choice(TRADES[category])
            if name in names:
                name = f"{name}（{community.name[:2]}店）"
            if name in names:
                continue
            names.add(name)
            status = _weighted(rng, statuses)
            merchants.append(
                Merchant(
                    name=name,
                    category=category,
                    address=f"{self.roads[grid.pk]} {rng.randint(1, 300)} 号",
                    community=community,
                    grid=grid,
                    credit_code=credit_code(name + community.slug, DIVISION_CODE, company=rng.random() < 0.2),
                    contact_person=_person(rng),
                    mobile=demo_mobile(name),
                    opening_hours=rng.choice(["每天 7:00—21:00", "每天 9:00—22:00", "周一至周六 8:30—18:00"]),
                    description=f"位于{community.name}的{dict(Merchant.Category.choices)[category]}小店，街坊邻居常来。",
                    elderly_delivery=category == "restaurant" and rng.random() < 0.4,
                    accepts_volunteer_points=rng.random() < 0.5,
                    party_member_shop=rng.random() < 0.1,
                    membership_status=status,
                    member_since=None
                    if status == "applicant"
                    else (self.now - datetime.timedelta(days=rng.randint(30, 1100))).date(),
                )
            )
        for merchant in merchants:
            # From what each shop already is, not from rng, so the rest of the district stays as it was.
            merchant.offers = district_offers(merchant)
            merchant.phone = demo_phone(merchant.name, merchant.offers)
        Merchant.objects.bulk_create(merchants, batch_size=500)
        self.merchants = list(Merchant.objects.filter(community__slug__startswith=PREFIX).order_by("pk"))
        self.members = [m for m in self.merchants if m.membership_status == "member"]
        self.shops_of = defaultdict(list)
        for merchant in self.merchants:
            self.shops_of[merchant.community_id].append(merchant.name)
        self.counts.update(merchant=len(self.merchants))

    # --- Pages ---

    def _publish(self, parent, page, when):
        """One published page under parent, dated `when`: the tree fields treebeard's add_child
        would set (path, depth; the parent's numchild is raised once in _finish_pages), the page
        and specific rows in one save, and a revision that becomes the live one. No per-page
        publish(): it saves the page twice more and logs; a fresh page needs neither."""
        when = min(when, self.now)
        if parent.pk not in self._next_step:
            last = parent.get_last_child()
            self._next_step[parent.pk] = Page._str2int(last.path[-Page.steplen :]) + 1 if last else 1
        page.depth = parent.depth + 1
        page.path = Page._get_path(parent.path, page.depth, self._next_step[parent.pk])
        self._next_step[parent.pk] += 1
        page.numchild = 0
        page.locale_id = parent.locale_id
        page.draft_title = page.title
        page.live, page.has_unpublished_changes = True, False
        page.first_published_at = page.last_published_at = page.latest_revision_created_at = when
        page.save(clean=False)
        self._revisions.append(
            Revision(
                content_type_id=page.content_type_id,
                base_content_type_id=self._page_type.pk,
                object_id=str(page.pk),
                created_at=when,
                object_str=page.title,
                content=page.serializable_data(),
            )
        )
        self._children[parent.pk] += 1

    def _finish_pages(self):
        Revision.objects.bulk_create(self._revisions, batch_size=500)
        pages = [Page(pk=int(r.object_id), live_revision_id=r.pk, latest_revision_id=r.pk) for r in self._revisions]
        Page.objects.bulk_update(pages, ["live_revision", "latest_revision"], batch_size=500)
        for parent_pk, n in self._children.items():
            Page.objects.filter(pk=parent_pk).update(numchild=F("numchild") + n)
        self._revisions, self._children, self._next_step = [], Counter(), {}

    def _paragraphs(self, *texts):
        return [{"type": "paragraph", "value": f"<p>{t}</p>"} for t in texts]

    def _index(self, model):
        index = model.objects.first()
        if index is None:
            raise RuntimeError(f"{model._meta.verbose_name} missing: build the default demo first")
        return index

    def build_pages(self):
        rng = self.rng
        self._revisions, self._children, self._next_step = [], Counter(), {}
        self._page_type = ContentType.objects.get_for_model(Page)
        news_index = self._index(NewsIndexPage)
        for n in range(self.n_news):
            community = rng.choice(self.communities)
            title, lead = NEWS_TOPICS[n % len(NEWS_TOPICS)]
            day = (self.now - datetime.timedelta(days=rng.randint(0, 730))).astimezone(SHANGHAI).date()
            intro = lead.format(topic=rng.choice(NEWS_TOPIC_WORDS), n=rng.randint(3, 40))
            shop = rng.choice(self.shops_of[community.pk] or ["联盟商户"])
            page = NewsPage(
                title=f"{community.name}{title}",
                slug=f"{PREFIX}news-{n + 1:04d}",
                date=day,
                intro=intro,
                community=community,
                body=self._paragraphs(
                    f"{day.month}月{day.day}日，{community.sub_district}{community.name}{title}。{intro}",
                    f"{shop}负责人说：“商户和居民是邻居，有事多商量，问题就好解决。”",
                ),
            )
            page.tags.add(*rng.sample(NEWS_TAGS, 2))
            self._publish(news_index, page, datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=SHANGHAI))
        notice_index = self._index(NoticeIndexPage)
        for n in range(self.n_notices):
            community = rng.choice(self.communities)
            kind, label, place = NOTICE_KINDS[n % len(NOTICE_KINDS)]
            day = (self.now + datetime.timedelta(days=rng.randint(-700, 60))).astimezone(SHANGHAI).date()
            start = datetime.datetime.combine(day, datetime.time(rng.choice([9, 10, 14, 15])), tzinfo=SHANGHAI)
            repeat = {}
            if kind == "market_day" and n % 3 == 0:
                repeat = {"repeat": "monthly_day", "repeat_day": day.day}
            elif kind == "volunteer" and n % 3 == 0:
                repeat = {"repeat": "monthly_weekday", "repeat_weekday": day.weekday(), "repeat_ordinal": 1}
            elif kind == "meeting" and n % 5 == 0:
                repeat = {"repeat": "weekly", "repeat_weekday": day.weekday()}
            page = NoticePage(
                title=f"{community.name}{label}（{day.month}月{day.day}日）",
                slug=f"{PREFIX}notice-{n + 1:03d}",
                kind=kind,
                intro=f"{community.name}{label}，欢迎居民和商户参加。",
                body=self._paragraphs(f"时间：{day.month}月{day.day}日 {start:%H:%M}；地点：{community.name}{place}。"),
                start=start,
                end=start + datetime.timedelta(hours=2),
                place=f"{community.name}{place}",
                community=community,
                **repeat,
            )
            self._publish(notice_index, page, start - datetime.timedelta(days=14))
        honour_index = self._index(HonourRollIndexPage)
        today = self.now.astimezone(SHANGHAI).date()
        quarter = 0
        for year in (today.year - 2, today.year - 1, today.year):
            for q in range(4):
                start = datetime.date(year, 3 * q + 1, 1)
                end = datetime.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1) - datetime.timedelta(days=1)
                published = end + datetime.timedelta(days=10)
                if published > today or published < today - datetime.timedelta(days=760):
                    continue
                quarter += 1
                picked = rng.sample(self.members, min(100, len(self.members)))
                page = HonourRollPage(
                    title=f"{year}年第{NUMERALS[q]}季度全区联盟商户红黑榜",
                    slug=f"{PREFIX}honour-{year}q{q + 1}",
                    period_label=f"{year}年第{NUMERALS[q]}季度",
                    period_start=start,
                    period_end=end,
                    intro="按门前三包、诚信经营、志愿服务等六个方面评分，公布本季度全区上榜商户。",
                    body=self._paragraphs("评分由居民代表、网格员和商户代表共同完成。"),
                    honours=[
                        HonourEntry(merchant=m, title=rng.choice(HONOUR_TITLES), citation=rng.choice(CITATIONS))
                        for m in picked[:95]
                    ],
                    warnings=[
                        WarningEntry(merchant=m, reason=r, resolved=rng.random() < 0.6, resolution=fix)
                        for m, (r, fix) in zip(picked[95:], WARNING_REASONS * 2, strict=False)
                    ],
                )
                self._publish(honour_index, page, datetime.datetime.combine(published, datetime.time(9, 30), SHANGHAI))
        self._finish_pages()
        self.counts.update(news=self.n_news, notice=self.n_notices, honour_roll=quarter)

    # --- Cases ---

    def _state(self, age_days):
        rng = self.rng
        if age_days > 30:
            weights = {S.CLOSED: 55, S.FOLLOWED_UP: 15, S.RESOLVED: 15, S.DECLINED: 6, S.DUPLICATE: 4}
            weights.update({S.IN_PROGRESS: 2, S.DISPATCHED: 1.5, S.RETURNED: 0.5, S.ACCEPTED: 1})
        elif age_days > 7:
            weights = {S.RESOLVED: 30, S.FOLLOWED_UP: 15, S.CLOSED: 15, S.IN_PROGRESS: 15, S.DISPATCHED: 10}
            weights.update({S.ACCEPTED: 5, S.DECLINED: 5, S.DUPLICATE: 3, S.RETURNED: 2})
        else:
            weights = {S.SUBMITTED: 30, S.ACCEPTED: 20, S.DISPATCHED: 20, S.IN_PROGRESS: 15, S.RESOLVED: 10}
            weights.update({S.DECLINED: 3, S.DUPLICATE: 2})
        return _weighted(rng, weights)

    # The transitions that lead from 待受理 to each state, in order.
    PATHS = {
        S.SUBMITTED: [],
        S.ACCEPTED: ["accept"],
        S.DECLINED: ["decline"],
        S.DUPLICATE: ["mark_duplicate"],
        S.DISPATCHED: ["accept", "dispatch"],
        S.RETURNED: ["accept", "dispatch", "return"],
        S.IN_PROGRESS: ["accept", "dispatch", "start"],
        S.RESOLVED: ["accept", "dispatch", "start", "resolve"],
        S.FOLLOWED_UP: ["accept", "dispatch", "start", "resolve", "follow_up"],
        S.CLOSED: ["accept", "dispatch", "start", "resolve", "follow_up", "close"],
    }

    def build_cases(self):
        rng = self.rng
        categories = {c.slug: c for c in CaseCategory.objects.all()}
        category_weights = {slug: CATEGORY_WEIGHTS.get(slug, 3) for slug in categories}
        community_weights = {c.pk: c.households for c in self.communities}
        communities = {c.pk: c for c in self.communities}
        sequences = dict(DailySequence.objects.filter(prefix="SJ").values_list("day", "last"))
        span = 730 * 24 * 3600
        # Sorted creation times make references rise through each day, as real ones do.
        created = sorted(self.now - datetime.timedelta(seconds=rng.randint(600, span)) for _ in range(self.n_cases))
        reports, plans, made = [], [], 0
        for n, created_at in enumerate(created):
            category = categories[_weighted(rng, category_weights)]
            community = communities[_weighted(rng, community_weights)]
            grid = rng.choice(self.grids_of[community.pk])
            day = created_at.astimezone(SHANGHAI).date()
            sequences[day] = sequences.get(day, 0) + 1
            age = (self.now - created_at).days
            state = self._state(age)
            path = self.PATHS[state]
            accept_due = created_at + datetime.timedelta(hours=category.accept_within_hours)
            resolve_due = created_at + datetime.timedelta(days=category.resolve_within_days * 7 / 5, hours=8)
            # Event times: each step a while after the previous one, never in the future.
            times, t = [], created_at
            for action in path:
                if action == "accept":
                    hours = rng.uniform(0.3, category.accept_within_hours * 1.3)
                elif action == "resolve":
                    hours = rng.uniform(4, 24 * category.resolve_within_days * 1.5)
                else:
                    hours = rng.uniform(0.5, 30)
                t = min(t + datetime.timedelta(hours=hours), self.now)
                times.append(t)
            when = dict(zip(path, times, strict=True))
            named = rng.random() < 0.75
            reporter = _person(rng) if named else ""
            shop = rng.choice(self.shops_of[community.pk] or ["临街商铺"])
            road = self.roads[grid.pk]
            place = rng.random()
            if place < 0.4:
                address = rng.choice(self.buildings[grid.pk])
            else:
                address = f"{road}附近" if place < 0.55 else f"{road} {rng.randint(1, 200)} 号"
            rating = ""
            if state in (S.FOLLOWED_UP, S.CLOSED) and rng.random() < 0.7:
                rating = _weighted(rng, {"satisfied": 75, "basically": 18, "unsatisfied": 7})
            finished = state in (S.RESOLVED, S.FOLLOWED_UP, S.CLOSED, S.DECLINED, S.DUPLICATE)
            late = not finished and resolve_due < self.now
            supervised = late and rng.random() < 0.5
            reports.append(
                GrievanceReport(
                    reference=f"SJ-{day:%Y%m%d}-{sequences[day]:04d}",
                    secret_hash=hash_secret(f"{CASE_KEY_PREFIX}{n}"),
                    submission_key=f"{CASE_KEY_PREFIX}{n}",
                    category=category,
                    community=community,
                    grid=grid,
                    address=address,
                    description=rng.choice(COMPLAINTS.get(category.slug, COMPLAINTS["other"])).format(
                        shop=shop, road=road, n=rng.randint(1, 40)
                    ),
                    since=rng.choice(["", "最近一周", "一个多月了", "今年开春以来"]),
                    frequency=rng.choice(["", "daily", "weekly", "occasionally"]),
                    anonymous=not named and rng.random() < 0.8,
                    reporter_name=reporter,
                    reporter_mobile=demo_mobile(f"{CASE_KEY_PREFIX}{n}") if named else "",
                    consented_at=created_at if named else None,
                    state=state,
                    assignee=self.worker_of[grid.pk] if "dispatch" in path else None,
                    accept_due=accept_due,
                    resolve_due=resolve_due,
                    accepted_at=when.get("accept"),
                    resolved_at=when.get("resolve"),
                    closed_at=when.get("close") or when.get("decline") or when.get("mark_duplicate"),
                    result=rng.choice(NOTES["resolve"]) if "resolve" in path else "",
                    rating=rating,
                    rated_at=when["resolve"] + datetime.timedelta(days=1) if rating else None,
                    overdue=late,
                    supervised_at=min(resolve_due + datetime.timedelta(hours=2), self.now) if supervised else None,
                    created_at=created_at,
                )
            )
            plans.append((path, times, rating, supervised))
            if len(reports) == BATCH or n == len(created) - 1:
                made += self._insert(reports, plans)
                reports, plans = [], []
        existing = set(DailySequence.objects.filter(prefix="SJ", day__in=sequences).values_list("day", flat=True))
        DailySequence.objects.bulk_create(
            [DailySequence(prefix="SJ", day=d, last=last) for d, last in sequences.items() if d not in existing]
        )
        changed = DailySequence.objects.filter(prefix="SJ", day__in=existing)
        for row in changed:
            row.last = sequences[row.day]
        DailySequence.objects.bulk_update(changed, ["last"])
        self.counts.update(case=len(created), case_event=made)

    def _insert(self, reports, plans):
        rng = self.rng
        GrievanceReport.objects.bulk_create(reports)
        events = []
        for report, (path, times, rating, supervised) in zip(reports, plans, strict=True):
            state = S.SUBMITTED
            moderator, worker = self.moderator_of[report.community_id], self.worker_of[report.grid_id]
            for action, at in zip(path, times, strict=True):
                transition = MACHINE[action]
                actor = worker if WORKER_ACTIONS.intersection({action}) else moderator
                note = rng.choice(NOTES.get(action, [""])) if action != "return" else "不属于本网格，请改派。"
                events.append(
                    event_for(
                        report,
                        action,
                        actor=actor,
                        from_state=state,
                        to_state=transition.target,
                        note=note,
                        public=transition.public_by_default,
                        created_at=at,
                    )
                )
                state = transition.target
                if action == "follow_up" and rating:
                    events.append(
                        event_for(
                            report,
                            CaseEvent.Action.RATE,
                            from_state=state,
                            to_state=state,
                            rating=rating,
                            public=True,
                            created_at=min(at + datetime.timedelta(hours=1), self.now),
                        )
                    )
            if supervised:
                events.append(
                    event_for(
                        report,
                        CaseEvent.Action.SUPERVISE,
                        actor=moderator,
                        from_state=state,
                        to_state=state,
                        note=NOTES["supervise"][0],
                        created_at=report.supervised_at,
                    )
                )
        CaseEvent.objects.bulk_create(events, batch_size=BATCH)
        return len(events)


WORKER_ACTIONS = {"start", "resolve", "follow_up", "return"}
