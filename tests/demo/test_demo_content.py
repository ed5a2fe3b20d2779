"""`manage.py load_demo_content`: what it builds, that the site shows it, and that a second run
changes nothing.

The command runs once for the whole module, inside a transaction that is rolled back at the
end, so every other test module still starts from an empty site.
"""

import dataclasses
import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from PIL import Image as PILImage
from taggit.models import Tag
from wagtail.images.models import Image, Rendition
from wagtail.models import Collection, Page, PageLogEntry, ReferenceIndex, Revision, Site

from alliance.models import Community, Grid, GridArea, Merchant
from alliance.validators import credit_code_check_passes, validate_credit_code, validate_mobile
from bulletins.models import (
    HonourEntry,
    HonourRollIndexPage,
    HonourRollPage,
    NewsIndexPage,
    NewsPage,
    NewsPageTag,
    NoticeIndexPage,
    NoticePage,
    WarningEntry,
)
from casework.models import GrievanceReport
from demo import build
from demo import points as demo_points
from demo.spec import NoticeSpec
from demo.staff import STAFF
from demo.sub_district import DATASET
from evaluation import results
from evaluation.models import EvaluationRound, ScoreSheet
from evaluation.models import State as RoundState
from forms.models import Convention
from home.models import HomePage, OfficeSettings, StandardPage
from points import ledger, spending
from points.models import Account, Activity, Entry, Settlement, Transfer

pytestmark = pytest.mark.django_db
STAFF_NAMES = [spec.username for spec in STAFF]


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo_content", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def live(model):
    return model.objects.live()


# --- What it builds ------------------------------------------------------------------


def test_reports_what_it_did(demo):
    assert "演示内容已就绪" in demo


def test_three_communities_nine_grids_with_chiefs():
    assert Community.objects.count() == 3
    assert set(Community.objects.values_list("sub_district", flat=True)) == {"和平街道"}
    assert Grid.objects.count() == 9
    for grid in Grid.objects.prefetch_related("areas"):
        areas = list(grid.areas.all())
        assert len(areas) >= 2, grid
        assert all(area.chief for area in areas), grid
    # Residents choose a street or building of their community in the wizard: every community has both.
    for community in Community.objects.all():
        kinds = set(GridArea.objects.filter(grid__community=community).values_list("kind", flat=True))
        assert kinds == {GridArea.Kind.STREET, GridArea.Kind.BUILDING}, community


def test_about_sixty_merchants_mostly_members_across_categories():
    total = Merchant.objects.count()
    members = Merchant.objects.members().count()
    assert 55 <= total <= 65
    assert 45 <= members <= 55
    others = set(Merchant.objects.exclude(membership_status="member").values_list("membership_status", flat=True))
    assert others == {Merchant.Status.APPLICANT, Merchant.Status.SUSPENDED}
    assert set(Merchant.objects.values_list("category", flat=True)) == set(Merchant.Category.values)
    # Every merchant sits in a grid of its own community.
    assert not Merchant.objects.exclude(grid__community=F("community")).exists()
    # Members carry the details residents look for.
    for merchant in Merchant.objects.members():
        assert merchant.opening_hours and merchant.description and merchant.offers, merchant
        assert merchant.member_since, merchant
    assert Merchant.objects.members().filter(elderly_delivery=True).count() >= 5
    assert Merchant.objects.members().filter(accepts_volunteer_points=True).count() >= 5
    assert Merchant.objects.members().filter(party_member_shop=True).count() >= 3
    assert Merchant.objects.filter(description__contains="本店已安装油烟净化器").exists()


def test_credit_codes_are_well_formed_and_one_or_two_fail_the_check():
    codes = list(Merchant.objects.values_list("credit_code", "credit_code_check_failed"))
    for code, failed in codes:
        validate_credit_code(code)
        assert failed is not credit_code_check_passes(code)
    assert 1 <= sum(failed for _, failed in codes) <= 2
    for mobile in Merchant.objects.values_list("mobile", flat=True):
        validate_mobile(mobile)


def test_index_pages_and_standard_pages_have_stable_slugs():
    home = HomePage.objects.get()
    children = {page.slug: page.specific for page in home.get_children().live()}
    assert isinstance(children["news"], NewsIndexPage)
    assert isinstance(children["notices"], NoticeIndexPage)
    assert isinstance(children["honour-rolls"], HonourRollIndexPage)
    assert isinstance(children["about"], StandardPage)
    assert children["organisation"].show_organisation
    convention = children["convention"]
    assert convention.title == "商居共建自治公约"
    text = str(convention.body)
    for article in ("第一条", "第四条", "第八条"):
        assert article in text


def test_twenty_news_with_tags_communities_and_rich_bodies():
    news = list(live(NewsPage).prefetch_related("tags"))
    assert len(news) == 20
    assert {d.year for d in (n.date for n in news)} == {2026}
    assert len({n.date.month for n in news}) >= 8
    assert all(n.date <= timezone.localdate() for n in news)
    tags = {tag.name for n in news for tag in n.tags.all()}
    assert {"油烟治理", "便民集市", "志愿服务", "议事会"} <= tags
    assert sum(1 for n in news if n.community_id) >= 8
    assert any("油烟" in n.title for n in news)
    block_types = {block.block_type for n in news for block in n.body}
    assert block_types == {"paragraph", "image", "quote", "gallery"}
    for n in news:
        for block in n.body:
            if block.block_type == "image":
                assert block.value["image"] and block.value["alt"], n
            if block.block_type == "gallery":
                assert len(block.value["images"]) >= 2, n
                assert all(item["image"] and item["alt"] for item in block.value["images"]), n


def test_news_history_reads_as_published_on_its_date():
    for page in live(NewsPage):
        published = timezone.localtime(page.first_published_at).date()
        assert published == page.date, page
        assert page.live_revision_id and not page.has_unpublished_changes


def test_eight_notices_with_every_kind_of_schedule():
    notices = list(live(NoticePage).prefetch_related("merchants"))
    assert len(notices) == 8
    market = [n for n in notices if n.repeat == "monthly_day" and n.repeat_day == 18]
    assert len(market) == 1 and market[0].kind == NoticePage.Kind.MARKET_DAY
    assert market[0].merchants.count() >= 5
    assert any(
        n.repeat == "monthly_weekday" and n.repeat_ordinal == 1 and n.repeat_weekday == 5 and n.kind == "meeting"
        for n in notices
    )
    assert any(n.repeat == "weekly" and n.kind == "volunteer" for n in notices)
    now = timezone.now()
    one_offs = [n for n in notices if not n.repeat]
    assert any(n.start > now for n in one_offs)
    assert any(n.end < now for n in one_offs)
    for notice in notices:
        notice.full_clean()


def test_two_quarterly_honour_rolls_with_warning_lists():
    rolls = list(live(HonourRollPage).order_by("period_start"))
    assert [r.period_label for r in rolls] == ["2026年第二季度", "2026年第三季度"]
    for roll in rolls:
        titles = set(roll.honours.values_list("title", flat=True))
        assert titles == set(HonourEntry.Title.values), roll
        assert roll.honours.filter(title="red_flag").count() == 1
        assert roll.warnings.exists()
        # Honours link to the public directory, so only members are named.
        assert not roll.honours.exclude(merchant__membership_status="member").exists()
    resolved = set(WarningEntry.objects.values_list("resolved", flat=True))
    assert resolved == {True, False}


def test_images_are_real_pictures_in_one_collection():
    images = list(Image.objects.all())
    assert 10 <= len(images) <= 60
    assert {image.collection.name for image in images} == {DATASET.image_collection}
    for image in images:
        with image.open_file() as f:
            picture = PILImage.open(f)
            picture.load()
        assert picture.format in {"JPEG", "PNG"}
        assert picture.width >= 1000 and (image.width, image.height) == picture.size
        assert image.file_hash and image.file_size
    assert Merchant.objects.members().exclude(photo=None).count() >= 10
    assert live(NewsPage).exclude(feed_image=None).count() >= 10


def test_office_settings_for_the_default_site():
    settings = OfficeSettings.for_site(Site.objects.get(is_default_site=True))
    assert settings.office_name == "和平街道商居联盟办公室"
    assert settings.hotline and settings.address and settings.hours
    assert settings.share_image is not None


# --- What residents see ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", "流动红旗"),
        ("/", "停车难怎么破"),
        ("/news/", "停车难怎么破"),
        ("/news/?page=2", "东关大街 13 家餐馆装上油烟净化器"),
        ("/news/?tag=油烟治理", "油烟治理回头看"),
        ("/news/?community=dongguan", "春节前"),
        ("/notices/", "每月 18 日便民集市"),
        ("/notices/?archive=1", "餐饮商户油烟净化设备免费检测日"),
        ("/honour-rolls/", "2026年第三季度红黑榜"),
        ("/honour-rolls/2026-q2/", "黑榜"),
        ("/merchants/?q=牛肉面", "老马家牛肉面"),
        ("/merchants/?community=xingfuli", "幸福里惠民超市"),
        ("/merchants/?category=clinic", "仁和堂中医诊所"),
        ("/about/", "为什么成立联盟"),
        ("/organisation/", "楼栋长"),
        ("/convention/", "外摆有序"),
        ("/news/dongguan-street-fume-purifiers/", "油烟扰民"),
        ("/notices/market-day-18th/", "幸福里惠民超市"),
        ("/search/?q=油烟净化器", "川味小厨"),
    ],
)
def test_public_pages_show_the_demo(client, url, expected):
    response = client.get(url)
    assert response.status_code == 200, url
    assert expected in response.content.decode(), url


def test_merchant_page_shows_offers_and_honours(client):
    merchant = Merchant.objects.get(name="幸福里惠民超市")
    response = client.get(merchant.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "送货上楼" in content
    assert "流动红旗" in content
    assert merchant.mobile not in content  # staff only


def listed(client, params):
    """How many shops the directory says it found for these parameters."""
    found = re.search(r"共 (\d+) 家联盟商户", client.get("/merchants/", params).content.decode())
    return int(found[1])


def test_demo_shops_can_be_phoned_and_found_by_what_they_offer(client):
    members = Merchant.objects.members()
    assert members.exclude(phone="").count() >= members.count() * 2 // 3
    assert members.filter(phone="").exists()  # the page's "暂未登记电话" shows on some
    barber = Merchant.objects.get(name="丝艺理发店")  # 行动不便的老人可电话预约上门理发
    page = client.get(barber.get_absolute_url()).content.decode()
    assert barber.phone and f'href="{barber.tel_uri}"' in page and barber.mobile not in page
    assert "在地图中查看" in page
    delivering = members.filter(elderly_delivery=True).count()
    taking = members.filter(accepts_volunteer_points=True).count()
    both = members.filter(elderly_delivery=True, accepts_volunteer_points=True).count()
    assert delivering >= 5 and taking >= 10 and both >= 2
    assert listed(client, {"has": "delivery"}) == delivering
    assert listed(client, {"has": "points"}) == taking
    assert listed(client, [("has", "delivery"), ("has", "points")]) == both
    # 送货 in what shops offer, as the site search finds it, not only in their names.
    mention = members.filter(Q(name__contains="送货") | Q(description__contains="送货") | Q(offers__contains="送货"))
    assert listed(client, {"q": "送货"}) == mention.count() >= 5
    assert listed(client, {"q": "送货", "community": "xingfuli", "has": "points"}) >= 1


def test_organisation_page_lists_every_grid_and_chief(client):
    content = client.get("/organisation/").content.decode()
    for area in GridArea.objects.all():
        assert area.chief in content


def test_footer_shows_the_office(client):
    content = client.get("/").content.decode()
    assert "和平街道商居联盟办公室" in content
    assert "0931-84615180" in content


def test_suspended_and_applicant_shops_are_not_listed(client):
    hidden = Merchant.objects.exclude(membership_status="member").first()
    assert client.get(hidden.get_absolute_url()).status_code == 404


# --- Idempotency -------------------------------------------------------------------------

COUNTED = [
    Community,
    Grid,
    GridArea,
    Merchant,
    Page,
    Revision,
    PageLogEntry,
    Image,
    Rendition,
    Collection,
    Tag,
    NewsPageTag,
    NoticePage.merchants.through,
    HonourEntry,
    WarningEntry,
    OfficeSettings,
    Site,
    ReferenceIndex,
]


def snapshot():
    counts = {model._meta.label: model.objects.count() for model in COUNTED}
    counts["revision ids"] = sorted(Page.objects.values_list("pk", "latest_revision_id"))
    counts["area ids"] = sorted(GridArea.objects.values_list("pk", flat=True))
    counts["honour ids"] = sorted(HonourEntry.objects.values_list("pk", flat=True))
    counts["merchant updated"] = sorted(Merchant.objects.values_list("updated_at", flat=True))
    return counts


def test_running_twice_changes_nothing():
    before = snapshot()
    out = io.StringIO()
    call_command("load_demo_content", stdout=out)
    assert snapshot() == before
    assert "新建 0 项，更新 0 项" in out.getvalue()


def test_a_changed_data_set_updates_only_what_changed():
    news = DATASET.news[0]
    changed = dataclasses.replace(
        DATASET, news=(dataclasses.replace(news, title=news.title + "（更正）"),) + DATASET.news[1:]
    )
    revisions = Revision.objects.count()
    pages = Page.objects.count()
    tally = build.DemoBuilder(changed).build()
    assert tally[("newspage", "updated")] == 1
    assert Revision.objects.count() == revisions + 1
    assert Page.objects.count() == pages
    assert NewsPage.objects.get(slug=news.slug).title.endswith("（更正）")


# --- Pieces without the database ---------------------------------------------------------


@pytest.mark.parametrize("company", [True, False])
def test_credit_code_derivation(company):
    code = build.credit_code("测试小店", "620102", company=company)
    validate_credit_code(code)
    assert code.startswith("91620102" if company else "92620102")
    assert credit_code_check_passes(code)
    wrong = build.credit_code("测试小店", "620102", company=company, wrong_check=True)
    assert wrong[:17] == code[:17] and not credit_code_check_passes(wrong)


def test_an_upcoming_event_stays_upcoming_when_loaded_late():
    spec = NoticeSpec(
        slug="x",
        title="x",
        kind="market_day",
        start=datetime.datetime(2026, 12, 12, 10),
        end=datetime.datetime(2026, 12, 12, 16),
        place="x",
        intro="",
        body=(),
        keep_upcoming=True,
    )
    later = datetime.datetime(2028, 3, 1, tzinfo=datetime.UTC)
    start, end = build.DemoBuilder(DATASET, now=later)._upcoming(spec)
    assert start.date() == datetime.date(2028, 12, 12) and end > later
    past = dataclasses.replace(spec, keep_upcoming=False)
    assert build.DemoBuilder(DATASET, now=later)._upcoming(past)[0].year == 2026


def test_a_published_convention_so_merchants_can_apply_at_once(client):

    convention = Convention.current()
    assert convention is not None and convention.version == "2026 年版"
    assert "附则" in convention.body  # the text of the convention page, not a placeholder
    page = client.get("/apply/").content.decode()
    assert "暂时无法在线申请" not in page
    assert "店铺在哪个社区" in page and all(name in page for name in ("幸福里社区", "东关社区", "南桥社区"))


# --- Demo staff and cases: every role can be tried without a shell --------------------------


def test_demo_staff_in_their_groups_community_and_grid_without_a_password_yet():
    users = {user.username: user for user in get_user_model().objects.filter(username__in=STAFF_NAMES)}
    assert set(users) == set(STAFF_NAMES)
    assert {g.name for g in users["editor"].groups.all()} == {"编辑"}
    assert {g.name for g in users["moderator"].groups.all()} == {"审核"}
    assert {g.name for g in users["worker"].groups.all()} == {"网格员"}
    assert list(users["moderator"].moderated_communities.values_list("slug", flat=True)) == ["xingfuli"]
    assert [str(g) for g in users["worker"].grids.all()] == ["幸福里社区 · 第一网格"]
    # Nobody signs in with them until bootstrap_site (make run) gives them a password.
    assert not any(user.has_usable_password() for user in users.values())
    # Each is a person with a name, shown family name first wherever they act.
    assert {name: user.get_full_name() for name, user in users.items()} == {
        "editor": "林晓燕",
        "moderator": "周建华",
        "worker": "马志刚",
    }


def test_demo_cases_stand_at_every_stage_with_real_events():
    cases = {c.submission_key: c for c in GrievanceReport.objects.filter(submission_key__startswith="demo-case-")}
    states = {key: case.state for key, case in cases.items()}
    assert states == {
        "demo-case-1": "submitted",
        "demo-case-2": "accepted",
        "demo-case-3": "dispatched",
        "demo-case-4": "in_progress",
        "demo-case-5": "resolved",
        "demo-case-6": "closed",
        "demo-case-7": "declined",
    }
    worker = get_user_model().objects.get(username="worker")
    assert cases["demo-case-4"].assignee == worker and cases["demo-case-6"].rating == "satisfied"
    actions = list(cases["demo-case-6"].events.values_list("action", flat=True))
    assert actions == ["accept", "dispatch", "start", "resolve", "rate", "close"]
    assert all(case.accept_due > case.created_at for case in cases.values())
    # Each chose a street or building in the wizard, except one resident who did not know it.
    assert (
        cases["demo-case-2"].area.name == "幸福里小区 2 号楼"
        and cases["demo-case-2"].area.grid == cases["demo-case-2"].grid
    )
    assert [key for key, case in cases.items() if case.place_unsure] == ["demo-case-4"]


def test_demo_worker_and_moderator_find_work_in_their_inbox(client):
    worker, moderator = (get_user_model().objects.get(username=name) for name in ("worker", "moderator"))
    client.force_login(worker)
    inbox = client.get("/admin/cases/").content.decode()
    assert "解放路东段菜店门口" in inbox and "铁路家属院" not in inbox  # 第三网格 is not the worker's
    client.force_login(moderator)
    inbox = client.get("/admin/cases/").content.decode()
    assert "解放路东段菜店门口" in inbox and "铁路家属院" in inbox


def test_bootstrap_gives_each_demo_account_a_password_once(monkeypatch):
    monkeypatch.delenv("SHANGJU_DEMO_PASSWORD", raising=False)
    monkeypatch.setenv("SHANGJU_ADMIN_PASSWORD", "correct horse battery staple")
    out = io.StringIO()
    call_command("bootstrap_site", url="http://127.0.0.1:8077/", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8077/admin/" in text and "8000" not in text
    assert get_user_model().objects.get(username="admin").get_full_name() == "陈立新"
    # The site's address is where it is served: page links and mail links lead there.
    assert Site.objects.get(is_default_site=True).root_url == "http://127.0.0.1:8077"
    for name in STAFF_NAMES:
        line = next(line for line in text.splitlines() if line.strip().startswith(name + " "))
        password = line.split()[1]
        assert get_user_model().objects.get(username=name).check_password(password)
    again = io.StringIO()
    call_command("bootstrap_site", stdout=again)
    assert "密码只显示这一次" not in again.getvalue()  # passwords are printed once, never again


# --- Volunteer points ------------------------------------------------------------------------


def test_demo_volunteers_have_balances_from_confirmed_attendance():
    assert not ledger.reconcile()
    residents = Account.objects.filter(kind=Account.Kind.RESIDENT, balance__gt=0)
    assert residents.count() >= 5
    issued = Transfer.objects.filter(kind=Transfer.Kind.ISSUE)
    assert issued.count() >= 10
    # One person alone never issued any: the demo editor recorded, the grid worker confirmed.
    assert not issued.filter(approved_by=F("created_by")).exists()
    assert set(issued.values_list("created_by__username", "approved_by__username").distinct()) == {("editor", "worker")}


def test_demo_spends_at_several_shops_and_one_settled_month():
    spends = Entry.objects.filter(transfer__kind=Transfer.Kind.SPEND, amount__gt=0)
    assert spends.values("account__merchant").distinct().count() >= 3
    settlement = Settlement.objects.get()
    assert settlement.month < timezone.localdate().replace(day=1) and settlement.points > 0


def test_the_next_clean_up_is_open_for_sign_up(client):
    upcoming = Activity.objects.filter(sign_up_until__gt=timezone.now()).select_related("notice").get()
    page = client.get(upcoming.notice.url).content.decode()
    assert "登录后报名" in page and "积分公示" in page and "王*兰" in page


def test_the_demo_resident_signs_in_and_sees_points_and_her_case(client, sms_outbox):
    client.post("/my/sign-in/", {"mobile": demo_points.RESIDENT.mobile})
    code = sms_outbox[-1].params["code"]
    client.post("/my/sign-in/code/", {"code": code})
    page = client.get("/my/").content.decode()
    assert "王秀兰" in page and "周日清晨背街小巷清洁行动" in page and "SJ-" in page


def test_bootstrap_prints_the_demo_residents_and_the_cards_pin_once(monkeypatch):
    monkeypatch.setenv("SHANGJU_ADMIN_PASSWORD", "correct horse battery staple")
    out = io.StringIO()
    call_command("bootstrap_site", stdout=out)
    text = out.getvalue()
    assert demo_points.RESIDENT.mobile in text and demo_points.CLERK.mobile in text
    line = next(line for line in text.splitlines() if "积分卡" in line and "密码" in line)
    number, pin = line.split("积分卡")[1].split("密码")[0].strip(), line.split("密码")[1].split("（")[0].strip()
    assert spending.check_card(number, pin).person.name == demo_points.CARD_HOLDER.name
    again = io.StringIO()
    call_command("bootstrap_site", stdout=again)
    assert "积分卡" not in again.getvalue()


def test_a_finished_evaluation_round_shows_its_result_and_one_is_in_scoring(client):
    finished = EvaluationRound.objects.get(state=RoundState.FINAL)
    page = client.get(f"/evaluation/{finished.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "计算方法" in text
    ranked = results.compute(finished)
    assert [r.rank for r in ranked[:2]] == [1, 2]  # one clear first, for the red flag
    assert any(r.overall < finished.black_list_below for r in ranked)  # and one under the black-list line
    assert "不足 3 份，不计入" in text  # the shop with two resident scores
    assert ScoreSheet.objects.filter(round=finished).count() >= 8 * 5
    scoring = EvaluationRound.objects.get(state=RoundState.SCORING)
    assert scoring.scoring_open_on()
    assert not ScoreSheet.objects.filter(round=scoring, rater__username="moderator").exists()
    assert not ScoreSheet.objects.filter(round=scoring, rater__person__mobile=demo_points.RESIDENT.mobile).exists()
    # The cooking-fumes case is linked to a restaurant of the round, for the raters to see beside it.
    linked = GrievanceReport.objects.get(merchant__isnull=False)
    assert linked.category.slug == "cooking_fumes" and scoring.shops.filter(pk=linked.merchant_id).exists()
