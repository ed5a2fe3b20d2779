"""axe-core on every public page type: no serious or critical violations, in normal and
large-text mode, on a phone (390×844) and a desktop screen."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from forms.models import QuestionnaireField, QuestionnairePage
from tests import factories as f

from .axe import MODES, open_mode

# Live server in another thread: committed data; serialized_rollback restores the home
# page, groups and categories that migrations created.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world(db):
    """A small sub-district with every kind of content a page can show; returns the URLs."""

    f.office_settings(
        office_name="和平街道商居联盟", hotline="0931-12345678", address="解放路 1 号", hours="工作日 8:30—17:30"
    )
    dongmen = f.community(name="东门社区", slug="dongmen", phone="0931-8888888")
    xiguan = f.community(name="西关社区", slug="xiguan")
    first = f.grid(dongmen, name="第一网格")
    f.grid_area(first, name="幸福里 3 号楼", chief="王秀兰")
    f.grid_area(first, name="解放路东段", kind="street", chief="李强")
    f.grid(xiguan, name="第三网格")
    shopfront = f.image("老王面馆门头", size=(320, 200))
    noodles = f.merchant(
        name="老王面馆",
        community_=dongmen,
        grid=first,
        photo=shopfront,
        offers="每月 18 日全场九折",
        opening_hours="每天 7:00—21:00",
        description="三十年的老店，牛肉面和酿皮子。",
        elderly_delivery=True,
        accepts_volunteer_points=True,
        party_member_shop=True,
    )
    clinic = f.merchant(name="仁和中医诊所", community_=xiguan)
    f.merchant(name="惠民鲜果超市", community_=dongmen)
    late = f.merchant(name="夜市烧烤", community_=xiguan)

    cover = f.image("封面", size=(400, 240))
    body = f.body(
        (
            "paragraph",
            '<h2>议事经过</h2><p>居民和商户在<a href="/notices/">月月谈</a>上商量油烟治理。</p>'
            "<ul><li>加装净化器</li><li>晚十点后不外摆</li></ul>",
        ),
        ("image", {"image": f.image("现场").pk, "alt": "居民和商户围坐议事", "caption": "议事现场"}),
        ("quote", {"text": "油烟问题一个月就解决了。", "attribution": "幸福里居民 王阿姨"}),
        (
            "gallery",
            {
                "title": "活动照片",
                "images": [
                    {"image": f.image("一").pk, "alt": "志愿者清理楼道", "caption": ""},
                    {"image": f.image("二").pk, "alt": "商户签署公约", "caption": "签署公约"},
                ],
            },
        ),
    )
    article = f.news(
        title="东门社区召开月月谈",
        community=dongmen,
        tags=["议事"],
        intro="商户居民共商油烟治理。",
        feed_image=cover,
        body=body,
    )
    f.news(title="西关志愿者清理楼道", community=xiguan, tags=["议事"], date=datetime.date(2026, 10, 1))
    start = (timezone.localtime() + datetime.timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    market = f.notice(title="东门便民集市", start=start, community=dongmen, body=body)
    market.merchants.add(noodles)
    market.save_revision().publish()  # a parental M2M is saved with a revision
    f.notice(title="九月议事会", start=timezone.now() - datetime.timedelta(days=40))
    roll = f.honour_roll(
        title="2026年第三季度红黑榜",
        honours=[(noodles, "red_flag", "装了油烟净化器"), (clinic, "civilised", "")],
        warnings=[(late, "占道经营，多次劝导未改", False)],
        body=f.body(("paragraph", "<p>经商居议事会评议产生。</p>")),
    )
    about = f.standard_page(title="关于联盟", slug="about", intro="商户和居民一起商量事。", body=body)
    organisation = f.standard_page(title="组织架构", slug="organisation", show_organisation=True)
    convention = f.standard_page(
        title="商居共建自治公约",
        slug="convention",
        body=f.body(("paragraph", "<h2>第一章 总则</h2><ol><li>门前三包。</li><li>不占道经营。</li></ol>")),
    )
    survey = QuestionnairePage(
        title="解放路改造，请您提建议",
        slug="survey",
        intro="<p>解放路明年改造，欢迎居民和商户提出建议。</p>",
        thank_you_text="<p>谢谢您的建议，我们会在月月谈上逐条讨论。</p>",
    )
    survey.form_fields = [
        QuestionnaireField(label="您住在哪个小区", field_type="singleline", required=True, sort_order=0),
        QuestionnaireField(
            label="最希望改善的是", field_type="radio", choices="停车\n路灯\n绿化", required=True, sort_order=1
        ),
        QuestionnaireField(
            label="想去的商户", field_type="checkboxes", choices="面馆\n超市", required=False, sort_order=2
        ),
        QuestionnaireField(label="年龄段", field_type="dropdown", choices="60 岁以下\n60 岁以上", sort_order=3),
        QuestionnaireField(label="其他建议", field_type="multiline", required=False, sort_order=4),
    ]
    f.add_page(f.home_page(), survey)
    # What each page is, and a text a person would see on it: proof the page audited is
    # the real one (a filter that found nothing, or an error page, would pass axe too).
    return {
        "首页": ("/", "东门便民集市"),
        "动态列表": ("/news/", "西关志愿者清理楼道"),
        "动态列表（按社区筛选）": ("/news/?community=dongmen", "东门社区：共 1 条动态"),
        "动态详情": (article.url, "油烟问题一个月就解决了"),
        "通知列表": ("/notices/", "东门便民集市"),
        "通知往期": ("/notices/?archive=1", "九月议事会"),
        "通知详情": (market.url, "老王面馆"),
        "红黑榜列表": ("/honour-rolls/", "2026年第三季度红黑榜"),
        "红黑榜（含黑榜）": (roll.url, "占道经营，多次劝导未改"),
        "关于": (about.url, "商户和居民一起商量事"),
        "组织架构": (organisation.url, "幸福里 3 号楼"),
        "公约": (convention.url, "不占道经营"),
        "商户名录": ("/merchants/", "共 4 家联盟商户"),
        "商户名录（已筛选）": ("/merchants/?community=dongmen&category=restaurant", "共 2 家联盟商户"),
        "商户名录（无结果）": ("/merchants/?q=不存在的店", "没有符合条件的商户"),
        "商户名录（服务筛选，可去掉的条件）": (
            "/merchants/?q=面馆&community=dongmen&has=delivery&has=points&has=wifi",
            "有的筛选条件无法识别，已忽略",
        ),
        "商户详情": (f"/merchants/{noodles.pk}/", "每月 18 日全场九折"),
        "搜索（有结果）": ("/search/?q=面馆", "老王面馆"),
        "搜索（无结果）": ("/search/?q=火星", "没有找到结果"),
        "查询表单": ("/track/", "手机号码后四位"),
        "404": ("/no-such-page/", ""),
        "问卷": (survey.url, "解放路明年改造"),
    }


def test_public_pages_have_no_serious_violations(live_server, world, browser, audit):
    for mode in MODES:
        context = open_mode(browser, live_server, mode)
        page = context.new_page()
        for label, (url, text) in world.items():
            response = page.goto(live_server.url + url)
            assert response.status == (404 if label == "404" else 200), (label, url)
            expect(page.locator("main")).to_contain_text(text)
            if label == "首页" and mode == MODES[0]:
                audit.prove_it_can_fail(page)
            audit.check(page, label, mode)
            # Keyboards are on desktops; the focus ring is the same CSS in large text.
            if mode == MODES[2] and label in ("动态详情", "问卷"):
                audit.check_focus_visible(page, f"{label}（键盘）", mode)

        # Still on the questionnaire: sent empty (errors next to fields), then filled in (thanks).
        page.get_by_role("button", name="提交").click()
        expect(page.locator(".error-summary")).to_contain_text("请修改以下内容后再提交")
        audit.check(page, "问卷（有错误）", mode)
        page.get_by_label("您住在哪个小区").fill("幸福里")
        page.get_by_label("路灯").check()
        page.get_by_role("button", name="提交").click()
        expect(page.locator("main")).to_contain_text("谢谢您的建议")
        audit.check(page, "问卷（已提交）", mode)
        context.close()

    assert not audit.found, audit.report()
