"""axe-core on every step of the two public wizards, their error states, thank-you pages
and the status pages behind them, in normal and large-text mode on a phone and a desktop."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from casework.models import CaseEvent
from tests import factories as f

from .axe import MODES, open_mode

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MOBILE = "13812345678"
RESOLVED = "SJ-20261101-0007"


def jpeg(path):

    Image.new("RGB", (320, 240), (180, 90, 40)).save(path, "JPEG")
    return str(path)


@pytest.fixture
def world(db):

    f.office_settings(office_name="和平街道商居联盟", hotline="0931-12345678")
    dongmen = f.community(name="东门社区", slug="dongmen")
    first = f.grid(dongmen, name="第一网格")
    f.grid_area(first, name="解放路", kind="street")
    f.grid_area(first, name="幸福里 3 号楼")
    f.grid_area(f.grid(dongmen, name="第二网格"), name="幸福里 5 号楼")
    xiguan = f.community(name="西关社区", slug="xiguan")
    f.grid_area(f.grid(xiguan, name="第三网格"), name="西关路", kind="street")
    f.convention(title="商居共建自治公约", body="<p>第一条 门前三包，不占道经营。</p><p>第二条 油烟达标排放。</p>")
    # A case already resolved, so the status page shows a result and the rating form.
    case = f.case(first, state="resolved", reference=RESOLVED, reporter_mobile=MOBILE, result="已上门劝导，已整改。")
    CaseEvent.objects.create(
        report=case,
        action="resolve",
        from_state="in_progress",
        to_state="resolved",
        note="已上门劝导，已整改。",
        public=True,
    )
    return {"credit_code": f.valid_credit_code("91620102MA7XKQ2B0")}


def walk_report(page, live_server, audit, mode, photo):
    """/report/ from the first step to the thank-you page; returns the private link."""
    check = lambda label: audit.check(page, f"反映 {label}", mode)  # noqa: E731
    next_step = page.get_by_role("button", name="下一步")
    page.goto(live_server.url + "/report/")
    expect(page.locator(".progress")).to_contain_text("第 1 步，共 6 步")
    check("第 1 步")
    next_step.click()  # nothing chosen: the step comes back with its errors
    expect(page.locator(".error-summary")).to_be_visible()
    check("第 1 步（有错误）")
    page.get_by_label(re.compile(r"^噪音扰民")).check()
    next_step.click()

    expect(page.locator(".progress")).to_contain_text("第 2 步")
    check("第 2 步（社区）")
    next_step.click()  # no community chosen
    expect(page.locator(".error-summary")).to_contain_text("请选择社区")
    check("第 2 步（有错误）")
    page.get_by_label("东门社区", exact=True).check()
    next_step.click()

    expect(page.locator(".progress")).to_contain_text("第 3 步")
    check("第 3 步（街巷或楼栋）")
    page.get_by_label("具体地点").fill("幸福里 3 号楼下烧烤店")
    next_step.click()  # no street or building chosen
    expect(page.locator(".error-summary")).to_contain_text("请选择街巷或楼栋")
    check("第 3 步（有错误）")
    page.get_by_label(re.compile(r"^街巷或楼栋")).select_option(label="幸福里 3 号楼")
    page.get_by_label("照片 1").set_input_files(photo)
    next_step.click()

    expect(page.locator(".progress")).to_contain_text("第 4 步")
    check("第 4 步")
    page.get_by_label("情况描述").fill("楼下烧烤店每晚十一点后还在户外经营，油烟和音乐声很大。")
    page.get_by_label("多久发生一次").select_option(label="几乎每天")
    next_step.click()

    expect(page.locator(".progress")).to_contain_text("第 5 步")
    check("第 5 步")
    page.get_by_label(re.compile(r"^姓名")).fill("王秀兰")
    page.get_by_label("手机号码").fill("1381234")  # too short: errors on a filled-in step
    page.get_by_label("我已阅读并同意上方的个人信息告知").check()
    next_step.click()
    expect(page.locator(".error-summary")).to_contain_text("手机号码")
    check("第 5 步（有错误）")
    page.get_by_label("手机号码").fill(MOBILE)
    next_step.click()

    expect(page.locator(".progress")).to_contain_text("第 6 步")
    expect(page.locator("dl.review")).to_contain_text("1 张照片")
    expect(page.locator("dl.review")).to_contain_text("东门社区 · 幸福里 3 号楼")
    check("第 6 步（核对）")
    page.get_by_label("以上信息无误，确认提交").check()
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r"/report/thanks/$"))
    check("感谢页")
    return page.locator(".private-link a").get_attribute("href")


def walk_tracking(page, live_server, audit, mode, private_link):
    check = lambda label: audit.check(page, f"查询 {label}", mode)  # noqa: E731
    page.goto(private_link)
    expect(page.locator(".state")).to_have_text("待受理")
    check("新工单（查询链接）")

    page.goto(live_server.url + "/track/")
    page.get_by_label("工单编号").fill(RESOLVED)
    page.get_by_label("手机号码后四位").fill("0000")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".error-summary")).to_contain_text("工单编号或手机号码后四位不正确")
    check("表单（有错误）")
    page.get_by_label("手机号码后四位").fill(MOBILE[-4:])
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(rf"/track/{RESOLVED}/$"))
    expect(page.locator(".state")).to_have_text("已办结")
    check("已办结（可评价）")
    page.get_by_role("button", name="提交评价").click()  # no rating chosen
    expect(page.locator(".error-summary, .error").first).to_be_visible()
    check("评价（有错误）")


def walk_apply(page, live_server, audit, mode, credit_code, photo):
    """/apply/ from the first step to the status page behind the thank-you page."""
    check = lambda label: audit.check(page, f"入盟 {label}", mode)  # noqa: E731
    next_step = page.get_by_role("button", name="下一步")
    page.goto(live_server.url + "/apply/")
    expect(page.locator(".progress")).to_contain_text("第 1 步，共 7 步")
    check("第 1 步（社区）")
    page.get_by_label("西关社区", exact=True).check()
    next_step.click()

    expect(page.locator(".progress")).to_contain_text("第 2 步")
    check("第 2 步")
    page.get_by_label("店名").fill("惠民鲜果超市")
    page.get_by_label("统一社会信用代码").fill("12345")  # wrong: the step comes back with errors
    next_step.click()
    expect(page.locator(".error-summary")).to_be_visible()
    check("第 2 步（有错误）")
    page.get_by_label("超市便利", exact=True).check()
    page.get_by_label(re.compile(r"^街巷或楼栋")).select_option(label="不清楚 / 列表里没有")
    page.get_by_label("店铺地址").fill("西关路 26 号")
    page.get_by_label("统一社会信用代码").fill(credit_code)
    next_step.click()

    expect(page.locator(".progress")).to_contain_text("第 3 步")
    check("第 3 步")
    page.get_by_label("联系人姓名").fill("李建国")
    page.get_by_label("手机号码").fill("13900001111")
    page.get_by_label("我已阅读并同意上方的个人信息告知").check()
    next_step.click()

    expect(page.locator(".progress")).to_contain_text("第 4 步")
    check("第 4 步")
    page.get_by_label("为居民提供的优惠").fill("每月 18 日全场九折")
    page.get_by_label("营业时间").fill("每天 7:00—21:00")
    next_step.click()

    expect(page.locator(".progress")).to_contain_text("第 5 步")
    check("第 5 步")
    page.get_by_label("门头照片").set_input_files(photo)
    next_step.click()

    expect(page.locator(".progress")).to_contain_text("第 6 步")
    expect(page.locator(".convention-body")).to_contain_text("门前三包")
    check("第 6 步（公约）")
    page.get_by_label("我已阅读并同意遵守《商居共建自治公约》").check()
    page.get_by_label("签名（请输入联系人姓名）").fill("李建国")
    next_step.click()

    expect(page.locator(".progress")).to_contain_text("第 7 步")
    expect(page.locator("dl.review")).to_contain_text("惠民鲜果超市")
    expect(page.locator("dl.review")).to_contain_text("西关社区 · 不清楚所在街巷或楼栋")
    check("第 7 步（核对）")
    page.get_by_label("以上信息真实无误，确认提交").check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/apply/thanks/$"))
    check("感谢页")
    page.locator(".private-link a").click()
    page.wait_for_url(re.compile(r"/apply/application/RM-\d{8}-\d{4}/$"))  # the link lands on a clean address
    expect(page.locator("main")).to_contain_text("惠民鲜果超市")
    check("审核进度")


def test_wizards_and_status_pages_have_no_serious_violations(live_server, live_site, world, browser, audit, tmp_path):
    photo = jpeg(tmp_path / "photo.jpg")
    for mode in MODES:
        context = open_mode(browser, live_server, mode)
        page = context.new_page()
        private_link = walk_report(page, live_server, audit, mode, photo)
        walk_tracking(page, live_server, audit, mode, private_link)
        walk_apply(page, live_server, audit, mode, world["credit_code"], photo)
        context.close()

    assert not audit.found, audit.report()
