"""Site search's own index (home/searchindex.py): built from what Wagtail indexes, and never stale.

Every change goes in the way the office makes it (publish, unpublish, move, delete, restrict, a
merchant's membership and edits), and what a resident then finds is checked through /search/.
"""

import json
import re

import pytest
from django.core.management import call_command

from alliance.models import Merchant
from bulletins.models import HonourEntry
from home.models import SearchEntry, SearchToken, StandardPage
from home.searchindex import merchant_texts, page_texts
from portal.tokenize import index_tokens, stored_token_set
from tests import factories as f

pytestmark = pytest.mark.django_db


def paragraphs(*texts):
    return json.dumps([{"type": "paragraph", "value": f"<p>{t}</p>"} for t in texts])


def results(client, query):
    """(title, link) of each result, in the order a person sees them."""
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    block = html.split('<ol class="search-results"', 1)[1].split("</ol>", 1)[0] if "search-results" in html else ""
    return [
        (re.sub(r"<[^>]+>", "", t).strip(), u) for u, t in re.findall(r'<h2><a href="([^"]*)">(.*?)</a></h2>', block)
    ]


def titles(client, query):
    return [title for title, _url in results(client, query)]


# --- The same tokens as Wagtail's index --------------------------------------------


def test_entries_hold_the_tokens_wagtail_indexes_for_every_type(home):
    shop = f.merchant(name="老王面馆", description="手工拉面", offers="老人九折", category=Merchant.Category.RESTAURANT)
    pages = [
        f.standard_page(title="联盟章程", intro="商居共治", body=paragraphs("第一条 总则")),
        f.news(title="油烟整治", intro="回头看", body=paragraphs("装好净化器")),
        f.notice(title="便民集市", intro="每月一次", place="幸福里广场", body=paragraphs("欢迎摆摊")),
        f.notice(title="义诊", place="社区卫生站", repeat="monthly_day", repeat_day=18),
        f.honour_roll(title="第三季度红黑榜", honours=[(shop, HonourEntry.Title.RED_FLAG, "油烟治理到位")]),
    ]
    for page in pages:
        page = page.specific
        entry = SearchEntry.objects.get(page=page)
        assert index_tokens(*page_texts(page)) == page.search_tokens, type(page)
        assert stored_token_set(entry.tokens) == set(page.search_tokens.split())
        assert set(entry.token_rows.values_list("token", flat=True)) == set(page.search_tokens.split())
    assert index_tokens(*merchant_texts(shop)) == shop.search_tokens
    assert SearchEntry.objects.get(merchant=shop).meta == "餐饮 · " + shop.address
    repeating = SearchEntry.objects.get(page=pages[3])
    assert repeating.meta == "每月 18 日 · 社区卫生站"
    assert repeating.starts_at is None


def test_navigation_pages_have_no_entry(home):
    f.news_index()
    assert not SearchEntry.objects.filter(page=home).exists()
    assert not SearchEntry.objects.filter(page__title="联盟动态").exists()


def test_rebuild_gives_the_entries_saving_gave(client, home):
    shop = f.merchant(name="惠民粮油店", offers="志愿者积分可抵扣")
    f.news(title="志愿者积分兑换启动")
    f.honour_roll(title="第三季度红黑榜", honours=[(shop, "volunteer", "积极接受志愿者积分")])
    before = titles(client, "志愿者积分")
    saved = {(e.kind, e.page_id, e.merchant_id, e.tokens, e.title_tokens, e.meta) for e in SearchEntry.objects.all()}
    tokens = SearchToken.objects.count()

    call_command("rebuild_search", verbosity=0)

    rebuilt = {(e.kind, e.page_id, e.merchant_id, e.tokens, e.title_tokens, e.meta) for e in SearchEntry.objects.all()}
    assert rebuilt == saved
    assert SearchToken.objects.count() == tokens
    assert titles(client, "志愿者积分") == before


# --- Pages: never stale -------------------------------------------------------------


def test_a_draft_is_not_found_until_it_is_published(client, home):
    page = f.news(title="集市通知", body=paragraphs("本月集市照常。"))
    page.title = "义诊通知"
    page.body = paragraphs("中医诊所义诊。")
    revision = page.save_revision()

    assert titles(client, "集市") == ["集市通知"]
    assert titles(client, "义诊") == []

    revision.publish()

    assert titles(client, "义诊") == ["义诊通知"]
    assert titles(client, "集市") == []


def test_a_deleted_page_and_a_deleted_section_are_gone(client, home):
    section = f.standard_page(title="联盟章程")
    child = f.standard_page(title="章程第一章", parent=section)
    lone = f.news(title="章程修订说明")
    assert sorted(titles(client, "章程")) == sorted(["联盟章程", "章程第一章", "章程修订说明"])

    lone.delete()
    assert sorted(titles(client, "章程")) == sorted(["联盟章程", "章程第一章"])
    section.delete()
    assert titles(client, "章程") == []
    assert not SearchEntry.objects.filter(page_id__in=[section.pk, child.pk, lone.pk]).exists()
    assert not SearchToken.objects.exists()


def test_a_moved_page_links_to_its_new_address(client, home):
    about = f.standard_page(title="关于联盟", slug="about")
    rules = f.standard_page(title="联盟公约", slug="rules")
    assert results(client, "公约") == [("联盟公约", "/rules/")]

    rules.move(about, pos="last-child")

    assert results(client, "公约") == [("联盟公约", "/about/rules/")]


def test_a_renamed_section_changes_its_pages_links(client, home):
    about = f.standard_page(title="关于联盟", slug="about")
    f.standard_page(title="联盟公约", slug="rules", parent=about)
    about = StandardPage.objects.get(pk=about.pk)
    about.slug = "guanyu"
    about.save_revision().publish()

    assert results(client, "公约") == [("联盟公约", "/guanyu/rules/")]


def test_a_section_put_behind_a_password_takes_its_pages_out(client, home):
    section = f.standard_page(title="内部资料")
    f.standard_page(title="网格员油烟巡查手册", parent=section)
    f.news(title="油烟治理公开通报")
    restriction = f.restrict(section)

    assert titles(client, "油烟") == ["油烟治理公开通报"]

    restriction.delete()

    assert sorted(titles(client, "油烟")) == sorted(["网格员油烟巡查手册", "油烟治理公开通报"])


def test_unpublished_then_republished(client, home):
    page = f.notice(title="停车新规", place="幸福里")
    page.unpublish()
    assert titles(client, "停车") == []
    page.save_revision().publish()
    assert titles(client, "停车") == ["停车新规"]


def test_first_publication_date_is_read_live(client, home):
    older = f.news(title="油烟整治第一期")
    f.news(title="油烟整治第二期")
    assert titles(client, "油烟整治") == ["油烟整治第二期", "油烟整治第一期"]
    # The date order reads the page row, so a corrected date takes effect at once.
    type(older).objects.filter(pk=older.pk).update(first_published_at="2030-01-01T00:00:00Z")
    assert titles(client, "油烟整治") == ["油烟整治第一期", "油烟整治第二期"]


# --- Merchants: never stale ---------------------------------------------------------


def test_a_merchant_is_found_from_joining_until_leaving(client, home):
    shop = f.merchant(name="老街理发", status=Merchant.Status.APPLICANT)
    assert titles(client, "理发") == []

    shop.membership_status = Merchant.Status.MEMBER
    shop.save()
    assert titles(client, "理发") == ["老街理发"]

    shop.membership_status = Merchant.Status.WITHDRAWN
    shop.save()
    assert titles(client, "理发") == []


def test_a_suspension_written_in_bulk_hides_the_merchant(client, home):
    shop = f.merchant(name="老街理发")
    assert titles(client, "理发") == ["老街理发"]
    # An update() sends no signal; visibility is read from the merchant row itself.
    Merchant.objects.filter(pk=shop.pk).update(membership_status=Merchant.Status.SUSPENDED)
    assert titles(client, "理发") == []


def test_a_merchants_edits_are_searched_at_once(client, home):
    shop = f.merchant(name="老王面馆", offers="老人就餐九折")
    shop.offers = "每月18日免费送货上门"
    shop.save()

    assert titles(client, "送货") == ["老王面馆"]
    assert titles(client, "九折") == []
    html = client.get("/search/", {"q": "送货"}).content.decode()
    assert "每月18日免费<mark>送货</mark>上门" in html


def test_a_renamed_merchant_renames_the_rolls_that_cite_it(client, home):
    shop = f.merchant(name="老王面馆")
    f.honour_roll(title="第三季度红黑榜", honours=[(shop, HonourEntry.Title.RED_FLAG, "诚信经营")])
    assert titles(client, "老王") == ["老王面馆", "第三季度红黑榜"]

    shop.name = "梁家牛肉面"
    shop.save()

    assert titles(client, "老王") == []
    assert titles(client, "梁家") == ["梁家牛肉面", "第三季度红黑榜"]


def test_a_deleted_merchant_is_gone(client, home):
    shop = f.merchant(name="老街理发")
    shop.delete()
    assert titles(client, "理发") == []
    assert not SearchEntry.objects.exists()
