"""The intake flows as people use them, in a real browser.

1. A resident on a phone reports a problem with a photo, and tracks it by reference; one without
   JavaScript who does not know the street is routed to the community's first grid.
2. The community moderator accepts and dispatches it; the grid worker starts and resolves it
   (and cannot open another grid's case by URL).
3. The resident opens the private link from the thank-you page and rates the result.
4. A merchant applies to join with a shop-front photo; a moderator approves it and the shop
   is in the public directory.

Everything the browser needs is built before it starts (see conftest.py): no ORM calls in
the test bodies, only what a person sees.
"""

import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests import factories as f

# Live server in another thread: committed data (transaction=True); serialized_rollback keeps
# the case categories (intake 0002) and the staff groups (home 0003, intake 0004) after the flush.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery"
MOBILE = "13812345678"
# Looked at by a person after a run: do these pages read well for an elderly resident?
SCREENSHOT = Path(tempfile.gettempdir()) / "shangju-report-thanks-phone.png"
COMMUNITY_SCREENSHOT = Path(tempfile.gettempdir()) / "shangju-report-community-step-phone.png"
AREA_SCREENSHOT = Path(tempfile.gettempdir()) / "shangju-report-area-step-phone.png"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
TIMEOUT = 10_000


def jpeg(path, size=(800, 600)):
    """A real photo-like JPEG (a gradient, so the encoder has something to do)."""

    width, height = size
    image = Image.new("RGB", size)
    image.putdata([(x * 255 // width, y * 255 // height, 120) for y in range(height) for x in range(width)])
    image.save(path, "JPEG", quality=85)
    return str(path)


@contextmanager
def staff_page(browser, live_server, username):
    """A desktop browser window where `username` has logged in to the Wagtail admin."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **DESKTOP)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/admin/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/admin/$"))
        yield page
    finally:
        context.close()


def action(page, name):
    """One action of a case or application page (受理, 派单, 开始办理, 办结 …), opened: its button
    reveals its own form."""
    details = page.locator(f"details[data-admin-action={name}]")
    details.locator("summary").click()
    return details


def expect_message(page, text):
    expect(page.locator(".messages")).to_contain_text(text, timeout=TIMEOUT)


# --- Steps 1–3: a report, worked and rated ----------------------------------------------


@pytest.fixture
def casework(db):
    """东门社区 with two grids and their streets and buildings; a moderator, a worker of 第一网格, and
    a case in 第二网格. 西关社区's street must never be offered to a resident of 东门社区."""
    dongmen = f.community(name="东门社区", slug="dongmen")
    first = f.grid(dongmen, name="第一网格")
    second = f.grid(dongmen, name="第二网格")
    f.grid_area(first, name="解放路", kind="street")
    f.grid_area(first, name="幸福里 3 号楼")
    f.grid_area(second, name="幸福里 5 号楼")
    f.grid_area(f.grid(f.community(name="西关社区", slug="xiguan"), name="西关网格"), name="西关路", kind="street")
    moderator = f.community_moderator(dongmen, username="shuji", password=PASSWORD)
    worker = f.grid_worker(first, username="wanggang", password=PASSWORD, first_name="王刚")
    f.grid_worker(second, username="lina", password=PASSWORD)
    other = f.case(second, reference="SJ-20200101-0001", description="另一个网格的工单")
    return {"moderator": moderator.username, "worker": worker.username, "other_case_pk": other.pk}


def report_a_problem(page, live_server, photo):
    """Walk /report/ as a resident on a phone; returns (reference, private link)."""
    description = "楼下烧烤店每晚十一点后还在户外经营，油烟和音乐声很大，老人睡不着。"
    page.goto(live_server.url + "/report/")
    expect(page.locator(".progress")).to_contain_text("第 1 步，共 6 步")
    page.get_by_label(re.compile(r"^噪音扰民")).check()
    page.get_by_role("button", name="下一步").click()

    # The community: one question, each community a whole-row radio.
    expect(page.locator(".progress")).to_contain_text("第 2 步")
    expect(page.locator(".progress strong")).to_have_text("在哪个社区")
    expect(page.locator("#field-community-community legend").first).to_contain_text("社区")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=COMMUNITY_SCREENSHOT, full_page=True)
    page.get_by_label("东门社区", exact=True).check()
    page.get_by_role("button", name="下一步").click()

    # Only that community's streets and buildings, grouped, and 不清楚 last.
    expect(page.locator(".progress")).to_contain_text("第 3 步")
    expect(page.locator(".progress strong")).to_have_text("具体在哪里")
    area = page.get_by_label(re.compile(r"^街巷或楼栋"))
    options = area.locator("option").all_inner_texts()
    assert options == ["请选择", "解放路", "幸福里 3 号楼", "幸福里 5 号楼", "不清楚 / 列表里没有"], options
    assert area.locator("optgroup").evaluate_all("groups => groups.map(g => g.label)") == ["街巷", "楼栋"]
    area.select_option(label="幸福里 3 号楼")
    page.get_by_label("具体地点").fill("幸福里 3 号楼下烧烤店")
    page.get_by_label("照片 1").set_input_files(photo)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=AREA_SCREENSHOT, full_page=True)
    page.get_by_role("button", name="下一步").click()

    expect(page.locator(".progress")).to_contain_text("第 4 步")
    page.get_by_label("情况描述").fill(description)
    page.get_by_label("从什么时候开始").fill("上个月开始")
    page.get_by_label("多久发生一次").select_option(label="几乎每天")
    page.get_by_role("button", name="下一步").click()

    expect(page.locator(".progress")).to_contain_text("第 5 步")
    page.get_by_label(re.compile(r"^姓名")).fill("王秀兰")
    page.get_by_label("手机号码").fill(MOBILE)
    page.get_by_label("我已阅读并同意上方的个人信息告知").check()
    page.get_by_role("button", name="下一步").click()

    # The review shows every entry, the photo included.
    expect(page.locator(".progress")).to_contain_text("第 6 步")
    review = page.locator("dl.review")
    for text in (
        "噪音扰民",
        "东门社区 · 幸福里 3 号楼",
        "幸福里 3 号楼下烧烤店",
        "1 张照片",
        description,
        "上个月开始",
    ):
        expect(review).to_contain_text(text)
    expect(review).to_contain_text(f"王秀兰 {MOBILE}")

    # Back (上一步) from the review to the details: the text is still there, the photo is kept.
    page.get_by_role("button", name="上一步").click()
    expect(page.locator(".progress")).to_contain_text("第 5 步")
    page.get_by_role("button", name="上一步").click()
    expect(page.locator(".progress")).to_contain_text("第 4 步")
    expect(page.get_by_label("情况描述")).to_have_value(description)
    expect(page.get_by_label("从什么时候开始")).to_have_value("上个月开始")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator(".progress")).to_contain_text("第 5 步")
    expect(page.get_by_label(re.compile(r"^姓名"))).to_have_value("王秀兰")
    expect(page.get_by_label("我已阅读并同意上方的个人信息告知")).to_be_checked()
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("dl.review")).to_contain_text("1 张照片")

    page.get_by_label("以上信息无误，确认提交").check()
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r"/report/thanks/$"))
    expect(page.locator("h1")).to_contain_text("已收到您的反映")
    reference = page.locator(".reference").inner_text().strip()
    assert re.fullmatch(r"SJ-\d{8}-\d{4}", reference), reference
    link = page.locator(".private-link a").get_attribute("href")
    assert re.fullmatch(re.escape(live_server.url) + r"/track/link/[\w-]+/", link), link
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.screenshot(path=SCREENSHOT, full_page=True)
    return reference, link


def track(page, live_server, reference):
    page.goto(live_server.url + "/track/")
    page.get_by_label("工单编号").fill(reference)
    page.get_by_label("手机号码后四位").fill(MOBILE[-4:])
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(rf"/track/{reference}/$"))
    expect(page.locator(".reference")).to_have_text(reference)


def open_case(page, live_server, reference):
    page.goto(live_server.url + "/admin/cases/")
    page.get_by_role("link", name=reference).click()
    page.wait_for_url(re.compile(r"/admin/cases/\d+/$"))
    expect(page.locator("#case-facts")).to_be_visible()


def test_resident_reports_worker_resolves_resident_rates(live_server, live_site, casework, browser, phone, tmp_path):
    resident = phone
    photo = jpeg(tmp_path / "shaokao.jpg")

    # 1. Report with a photo, then track it by reference and the mobile's last four digits.
    reference, private_link = report_a_problem(resident, live_server, photo)
    track(resident, live_server, reference)
    expect(resident.locator(".state")).to_have_text("待受理")

    # 2a. The community moderator accepts and dispatches it to the grid's worker.
    with staff_page(browser, live_server, casework["moderator"]) as page:
        open_case(page, live_server, reference)
        expect(page.locator("#case-facts")).to_contain_text("待受理")
        expect(page.locator(".case-photos-list img")).to_have_count(1)  # the resident's photo
        action(page, "accept").get_by_role("button", name="确认受理", exact=True).click()
        expect_message(page, f"工单 {reference} 已受理")
        expect(page.locator("#case-facts")).to_contain_text("已受理")

        dispatch = action(page, "dispatch")
        dispatch.get_by_label("网格员").select_option(label="王刚")
        dispatch.get_by_label("说明").fill("请今晚到现场核实。")
        dispatch.get_by_role("button", name="确认派单", exact=True).click()
        expect_message(page, f"工单 {reference} 已派单")
        expect(page.locator("#case-facts")).to_contain_text("已派单")
        expect(page.locator(".case-facts-list")).to_contain_text("王刚")

    # 2b. The grid worker starts and resolves it, with a public written result.
    result = "已上门劝导，烧烤店承诺晚上十点后停止户外经营并加装油烟净化器。"
    with staff_page(browser, live_server, casework["worker"]) as page:
        open_case(page, live_server, reference)
        action(page, "start").get_by_role("button", name="确认开始办理", exact=True).click()
        expect_message(page, f"工单 {reference} 已开始办理")
        expect(page.locator("#case-facts")).to_contain_text("办理中")

        resolve = action(page, "resolve")
        resolve.get_by_label("办理结果").fill(result)
        expect(resolve.get_by_label("对反映人公开")).to_be_checked()
        resolve.get_by_role("button", name="确认办结", exact=True).click()
        expect_message(page, f"工单 {reference} 已办结")
        expect(page.locator("#case-facts")).to_contain_text("已办结")
        expect(page.locator(".case-facts-list")).to_contain_text(result)

        # Another grid's case is not there, whatever URL is typed.
        response = page.goto(f"{live_server.url}/admin/cases/{casework['other_case_pk']}/")
        assert response.status == 404
        expect(page.locator("body")).not_to_contain_text("另一个网格的工单")
        page.goto(live_server.url + "/admin/cases/")
        expect(page.get_by_role("link", name=reference)).to_be_visible()
        expect(page.get_by_role("link", name="SJ-20200101-0001")).to_have_count(0)

    # 3. The resident opens the private link, reads the result and rates it.
    resident.goto(private_link)
    expect(resident.locator(".state")).to_have_text("已办结")
    expect(resident.locator("#result-title + p")).to_have_text(result)
    resident.get_by_label("满意", exact=True).check()
    resident.get_by_role("button", name="提交评价").click()
    expect(resident.locator(".rated")).to_contain_text("您的评价：满意")
    expect(resident.get_by_role("button", name="提交评价")).to_have_count(0)


def test_without_javascript_a_resident_who_does_not_know_the_street_reaches_the_first_grid(
    live_server, casework, browser, phone_without_js
):
    page = phone_without_js
    next_step = page.get_by_role("button", name="下一步")
    page.goto(live_server.url + "/report/")
    page.get_by_label(re.compile(r"^占道经营")).check()
    next_step.click()
    page.get_by_label("东门社区", exact=True).check()
    next_step.click()

    expect(page.locator(".progress strong")).to_have_text("具体在哪里")
    expect(page.locator("form[method=post]")).not_to_contain_text("西关路")  # another community's street
    page.get_by_label("具体地点").fill("菜市场北门")
    next_step.click()  # nothing chosen: said at the top and next to the field, the address kept
    expect(page.locator(".error-summary")).to_contain_text("请选择街巷或楼栋")
    expect(page.locator("#field-location-area .error")).to_contain_text("不清楚请选“不清楚 / 列表里没有”")
    expect(page.get_by_label("具体地点")).to_have_value("菜市场北门")
    page.get_by_label(re.compile(r"^街巷或楼栋")).select_option(label="不清楚 / 列表里没有")
    next_step.click()

    page.get_by_label("情况描述").fill("菜市场北门的摊位占满人行道，老人只能走机动车道。")
    next_step.click()
    page.get_by_label("匿名反映（不留姓名和电话）").check()
    page.get_by_label("我已阅读并同意上方的个人信息告知").check()
    next_step.click()
    expect(page.locator("dl.review")).to_contain_text("东门社区 · 不清楚所在街巷或楼栋")
    page.get_by_label("以上信息无误，确认提交").check()
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r"/report/thanks/$"))
    reference = page.locator(".reference").inner_text().strip()

    # Staff see where it went and why it needs checking.
    with staff_page(browser, live_server, casework["moderator"]) as admin:
        open_case(admin, live_server, reference)
        facts = admin.locator(".case-facts-list")
        expect(facts).to_contain_text("东门社区 · 第一网格")
        expect(facts).to_contain_text("居民不清楚所在街巷或楼栋，已先派到本社区的第一个网格，请核实后转办")


# --- Step 4: a merchant joins -------------------------------------------------------------


@pytest.fixture
def alliance(db):
    xiguan = f.community(name="西关社区", slug="xiguan")
    f.grid_area(f.grid(xiguan, name="第三网格"), name="西关路", kind="street")
    f.convention(title="商居共建自治公约", body="<p>第一条 门前三包，不占道经营。</p>")
    moderator = f.community_moderator(xiguan, username="shenhe", password=PASSWORD)
    return {"moderator": moderator.username, "credit_code": f.valid_credit_code("91620102MA7XKQ2B0")}


def test_merchant_applies_and_moderator_approves(live_server, alliance, browser, phone, tmp_path):
    shop = "惠民鲜果超市"
    page = phone
    page.goto(live_server.url + "/apply/")
    expect(page.locator(".progress")).to_contain_text("第 1 步，共 7 步")
    expect(page.locator(".progress strong")).to_have_text("店铺在哪个社区")
    page.get_by_label("西关社区", exact=True).check()
    page.get_by_role("button", name="下一步").click()

    expect(page.locator(".progress")).to_contain_text("第 2 步")
    page.get_by_label("店名").fill(shop)
    page.get_by_label("超市便利", exact=True).check()
    page.get_by_label(re.compile(r"^街巷或楼栋")).select_option(label="西关路")
    page.get_by_label("店铺地址").fill("西关路 26 号")
    page.get_by_label("统一社会信用代码").fill(alliance["credit_code"])
    page.get_by_role("button", name="下一步").click()

    expect(page.locator(".progress")).to_contain_text("第 3 步")
    page.get_by_label("联系人姓名").fill("李建国")
    page.get_by_label("手机号码").fill("13900001111")
    page.get_by_label("我已阅读并同意上方的个人信息告知").check()
    page.get_by_role("button", name="下一步").click()

    expect(page.locator(".progress")).to_contain_text("第 4 步")
    page.get_by_label("为居民提供的优惠").fill("每月 18 日全场九折")
    page.get_by_label("为社区老年人免费送货上门").check()
    page.get_by_label("营业时间").fill("每天 7:00—21:00")
    page.get_by_role("button", name="下一步").click()

    expect(page.locator(".progress")).to_contain_text("第 5 步")
    page.get_by_label("门头照片").set_input_files(jpeg(tmp_path / "mentou.jpg", size=(640, 360)))
    page.get_by_role("button", name="下一步").click()

    expect(page.locator(".progress")).to_contain_text("第 6 步")
    expect(page.locator(".convention-body")).to_contain_text("门前三包")
    page.get_by_label("我已阅读并同意遵守《商居共建自治公约》").check()
    page.get_by_label("签名（请输入联系人姓名）").fill("李建国")
    page.get_by_role("button", name="下一步").click()

    expect(page.locator(".progress")).to_contain_text("第 7 步")
    review = page.locator("dl.review")
    for text in (
        shop,
        "超市便利",
        "西关社区 · 西关路",
        "西关路 26 号",
        "李建国 13900001111",
        "门头照片",
        "为老人免费送货上门",
    ):
        expect(review).to_contain_text(text)
    page.get_by_label("以上信息真实无误，确认提交").check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/apply/thanks/$"))
    reference = page.locator(".reference").inner_text().strip()
    assert re.fullmatch(r"RM-\d{8}-\d{4}", reference), reference

    # Not in the directory until a moderator approves it.
    page.goto(live_server.url + "/merchants/?q=" + shop)
    expect(page.locator(".result-count")).to_contain_text("共 0 家")

    with staff_page(browser, live_server, alliance["moderator"]) as admin:
        admin.goto(live_server.url + "/admin/applications/")
        admin.get_by_role("searchbox", name="搜索").fill(shop)
        admin.get_by_role("button", name="筛选").click()
        admin.get_by_role("link", name=reference).click()
        admin.wait_for_url(re.compile(r"/admin/applications/\d+/$"))
        expect(admin.locator("main")).to_contain_text(shop)
        expect(admin.get_by_role("img", name="门头照片")).to_be_visible()
        action(admin, "approve").get_by_role("button", name="确认通过").click()
        expect_message(admin, f"已通过：“{shop}”已成为联盟商户")

    # The shop is in the directory, found by its name as a resident would search.
    page.goto(live_server.url + "/merchants/")
    page.get_by_label("搜索店铺").fill(shop)
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"/merchants/\?q="))
    expect(page.locator(".result-count")).to_contain_text("共 1 家")
    card = page.locator(".merchant-card", has_text=shop)
    expect(card).to_contain_text("西关社区 · 西关路 26 号")
    expect(card).to_contain_text("为老人送货")
    expect(card.locator("img.card-image")).to_have_count(1)  # the shop-front photo, copied at approval
