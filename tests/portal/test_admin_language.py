"""The admin in Chinese on the pages editors, moderators and grid workers open every day.

Each string here was English before locale/zh_Hans completed Wagtail's own catalogue (issue 10,
item 15): the assertions name what a person now reads, and that the English is gone.
"""

import datetime
import json
import re

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from alliance.models import Merchant
from tests import factories as f

pytestmark = pytest.mark.django_db


def assert_reads(response, chinese, english):
    assert response.status_code == 200
    html = response.content.decode()
    for text in chinese:
        assert text in html, text
    for text in english:
        assert text not in html, text


@pytest.fixture
def about(home):
    return f.standard_page(title="关于我们", parent=home)


@pytest.fixture
def editor(client):
    user = f.editor()
    client.force_login(user)
    return user


@pytest.fixture
def moderator(client):
    user = f.moderator()
    client.force_login(user)
    return user


def test_sign_in_page(client):
    response = client.get(reverse("wagtailadmin_login"))
    assert_reads(
        response,
        ["登录管理后台", 'placeholder="请输入用户名"', "使用 Wagtail 需要 JavaScript"],
        ["Sign in to Wagtail", "登录Wagtail", "JavaScript is required"],
    )
    html = response.content.decode()
    # Wagtail's password field has no label of its own: Django showed the English field name.
    assert re.search(r'for="id_password"[^>]*>\s*密码', html)
    assert not re.search(r'for="id_password"[^>]*>\s*Password', html)


def test_editor_reads_the_page_editor_in_chinese(client, editor, about):
    response = client.get(reverse("wagtailadmin_pages:edit", args=[about.pk]))
    assert_reads(
        response,
        [
            "任何人都可以编辑此页面",
            "选择谁可以查看此页面的已发布版本",
            "选择此页面的上线时间和/或过期时间",
            "有编辑权限的人都可以创建发布计划",
            "内容指标",
            "自动保存已暂停",
        ],
        [
            "Anyone can edit this",
            "Choose who can view the live version",
            "Choose when this page should go live",
            "Anyone with editing permissions can create schedules",
            "Content metrics",
            "Autosave is paused",
        ],
    )


def test_moderator_reads_the_schedule_in_chinese(client, moderator, about):
    about.go_live_at = timezone.now() + datetime.timedelta(days=1)
    about.save_revision(user=moderator)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[about.pk]))
    assert_reads(
        response,
        ["此发布计划只有在您选择“计划发布”后才会生效", "任何人都可以编辑此页面——锁定后其他人将无法编辑", ">计划发布<"],
        ["Schedule to publish", "lock it to prevent others from editing"],
    )


def test_page_listing_counts_in_chinese(client, editor, home):
    for n in range(21):
        f.standard_page(title=f"栏目{n}", parent=home)
    response = client.get(reverse("wagtailadmin_explore", args=[home.pk]))
    assert_reads(response, ["第 1-21 个，共 21 个页面", "更新日期", "有子页面"], ["1-21 of 21", "Date updated"])


def test_snippet_listing_in_chinese(client, editor, world):
    f.merchant(name="老王面馆", community_=world["x"])
    response = client.get(reverse(Merchant.snippet_viewset.get_url_name("list")))
    assert_reads(response, ["老王面馆", "按“店名”", "升序排列。"], ["Sort by", "in ascending order"])


def test_editor_dashboard_in_chinese(client, editor, about):
    about.save_revision(user=editor)
    about.get_workflow().start(about, editor)
    response = client.get(reverse("wagtailadmin_home"))
    assert_reads(
        response,
        ["您在工作流中的页面和片段", "隐私与访问权限", 'placeholder="搜索所有页面…"', "显示键盘快捷键"],
        ["Your pages and snippets in a workflow", "Privacy and access", "Search all pages", "Show keyboard shortcuts"],
    )


def test_grid_worker_dashboard_in_chinese(client, world):
    client.force_login(world["worker_a"])
    response = client.get(reverse("wagtailadmin_home"))
    assert_reads(response, ['placeholder="搜索所有页面…"', "修改帐号头像"], ["Search all pages", "Edit account avatar"])


def test_image_listing_in_chinese(client, editor):
    f.image()
    response = client.get(reverse("wagtailimages:index"))
    assert_reads(response, ["使用次数（从高到低）", "网格布局"], ["Usage count", "Grid layout"])


def test_account_preferences_in_chinese(client, editor):
    response = client.get(reverse("wagtailadmin_account"))
    assert_reads(response, ["主题偏好", "后台主题", "界面密度"], ["Theme preferences", "Admin theme", "Density"])


def test_admin_javascript_catalogue_in_chinese(client, editor):
    response = client.get(reverse("wagtailadmin_javascript_catalog"))
    assert response.status_code == 200
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\n  \});", response.content.decode(), re.S).group(1))
    assert catalog["Autosave in progress…"] == "正在自动保存…"
    assert catalog["Insert a block"] == "插入区块"
    assert catalog["%(num)s error"] == ["%(num)s 个错误"]


def test_password_rules_in_chinese():
    with pytest.raises(ValidationError) as error:
        password_validation.validate_password("4x9q")
    assert "密码太短，至少需要包含 8 个字符。" in error.value.messages


def test_corrected_wagtail_wordings():
    """Two of Wagtail's own translations said something else: the workflow's "approve and publish"
    read as two separate actions, and the reset page dropped "if an account exists"."""
    with translation.override("zh-hans"):
        assert translation.gettext("%(label)s and Publish") % {"label": "批准"} == "批准并发布"
        reset = translation.gettext(
            "A link to reset your password has been emailed to you if an account exists for this address."
        )
    assert "如果" in reset and "对应的账号" in reset


def test_wagtails_hard_coded_english_is_ours_in_chinese(client, editor, about):
    """Two strings Wagtail writes into its templates, out of reach of any catalogue."""
    for url in ("/admin/", reverse("wagtailadmin_pages:edit", args=[about.pk])):
        assert_reads(client.get(url), [" - 商居联盟管理后台</title>"], ["- Wagtail</title>", 'aria-label="Actions"'])
    assert 'aria-label="页面操作"' in client.get(reverse("wagtailadmin_pages:edit", args=[about.pk])).content.decode()
    client.logout()
    assert_reads(client.get("/admin/login/"), ["商居联盟管理后台</title>"], ["Wagtail</title>"])
