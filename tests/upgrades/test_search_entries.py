"""home 0004/0005: site search's own index is created and filled for the content already there.

The pages and merchants are put in the way the code before 0004 stored them (their rows, their
revisions, Wagtail's search index), the index tables are dropped by migrating back, and migrating
forward must make search find and rank them exactly as the signals would have.
"""

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from alliance.models import Merchant
from bulletins.models import HonourEntry
from home.models import SearchEntry
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BEFORE = [("home", "0003_editorial_groups_and_workflow")]
AFTER = [("home", "0005_fill_search_entries")]


def migrate(target=None):
    """Migrate to target (the latest migrations when None); returns the models of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    target = target or executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture
def back_to_the_latest_schema():
    """Later migrations exist: whatever happens, leave the database at the latest for the next test."""
    yield
    migrate()


def titles(client, query):
    html = client.get("/search/", {"q": query}).content.decode()
    block = html.split('<ol class="search-results"', 1)[1].split("</ol>", 1)[0] if "search-results" in html else ""
    return [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<h2>(.*?)</h2>", block, re.S)]


def test_existing_pages_and_merchants_are_found_after_the_upgrade(client, back_to_the_latest_schema):
    f.home_page()
    shop = f.merchant(name="油烟净化示范店", offers="已装油烟净化器", category=Merchant.Category.RESTAURANT)
    f.merchant(name="油烟申请中商户", status=Merchant.Status.APPLICANT)
    f.news(title="油烟整治回头看", intro="联盟商户陆续安装。")
    f.notice(title="油烟净化器保养讲座", place="幸福里广场", repeat="monthly_day", repeat_day=18)
    f.honour_roll(title="第三季度红黑榜", honours=[(shop, HonourEntry.Title.RED_FLAG, "油烟治理到位")])
    f.news(title="油烟草稿", live=False)
    expected = titles(client, "油烟")
    expected_phrase = titles(client, "油烟净化器")
    built = {(e.kind, e.page_id, e.merchant_id, e.tokens, e.title_tokens, e.meta) for e in SearchEntry.objects.all()}
    assert len(expected) == 4

    migrate(BEFORE)
    with connection.cursor() as cursor:
        assert "home_searchentry" not in connection.introspection.table_names(cursor)
    after = migrate(AFTER)

    Entry = after.get_model("home", "SearchEntry")
    filled = {(e.kind, e.page_id, e.merchant_id, e.tokens, e.title_tokens, e.meta) for e in Entry.objects.all()}
    assert filled == built
    assert after.get_model("home", "SearchToken").objects.filter(token="油烟").count() == 6  # the draft too
    migrate()
    assert titles(client, "油烟") == expected
    assert titles(client, "油烟净化器") == expected_phrase
    html = client.get("/search/", {"q": "讲座"}).content.decode()
    assert "每月 18 日 · 幸福里广场" in html
