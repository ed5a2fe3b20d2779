"""What an editor meets in the page editor: the address a page gets, the tabs fields sit in, and
the cover image a published article shows. Through Wagtail's own add and edit views."""

import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from bulletins.models import NewsPage
from forms.models import QuestionnairePage
from tests import factories as f
from tests.bulletins.test_workflow import add_url, edit_url, form_data

pytestmark = pytest.mark.django_db

TITLE = "东门社区便民集市开张"


@pytest.fixture
def news_index(home):
    return f.news_index()


@pytest.fixture
def editor(client):
    user = f.editor("linxiaoyan")
    client.force_login(user)
    return user


def save_draft(client, parent, title=TITLE, **fields):
    """Wagtail's add form for a news article as the browser sends it, 保存草稿 pressed."""
    data = form_data(client.get(add_url(parent)))
    data.update({"title": title, **fields})
    return client.post(add_url(parent), data)


def test_an_article_left_without_slug_gets_its_creation_date(client, editor, news_index):
    response = save_draft(client, news_index, slug="")
    assert response.status_code == 302
    page = NewsPage.objects.get(title=TITLE)
    assert page.slug == timezone.localdate().isoformat()
    assert page.url_path.endswith(f"/news/{page.slug}/")


def test_starting_the_same_article_again_gets_the_next_free_date_slug(client, editor, news_index):
    # The first attempt, kept by autosave after only its title; the editor starts again.
    assert save_draft(client, news_index, slug="").status_code == 302
    response = save_draft(client, news_index, slug="")
    assert response.status_code == 302, response.content.decode()[:3000]
    today = timezone.localdate().isoformat()
    assert sorted(NewsPage.objects.filter(title=TITLE).values_list("slug", flat=True)) == [today, f"{today}-2"]


def test_a_typed_slug_already_taken_is_refused_in_chinese(client, editor, news_index):
    f.news(title="另一篇", slug="market-day")
    response = save_draft(client, news_index, slug="market-day")
    assert response.status_code == 200
    content = response.content.decode()
    assert "网址“market-day”已被本栏目的另一个页面使用" in content
    assert "already in use" not in content
    assert not NewsPage.objects.filter(title=TITLE).exists()


def test_a_typed_slug_is_kept(client, editor, news_index):
    assert save_draft(client, news_index, slug="first-market-day").status_code == 302
    assert NewsPage.objects.get(title=TITLE).slug == "first-market-day"


def test_saving_again_with_the_slug_field_empty_keeps_the_address(client, editor, news_index):
    save_draft(client, news_index, slug="")
    page = NewsPage.objects.get(title=TITLE)
    data = form_data(client.get(edit_url(page)))
    data.update({"title": "东门社区便民集市开张啦", "slug": ""})
    assert client.post(edit_url(page), data).status_code == 302
    page.refresh_from_db()
    assert page.slug == timezone.localdate().isoformat()


def test_the_title_no_longer_fills_in_the_slug(client, editor, news_index):
    soup = BeautifulSoup(client.get(add_url(news_index)).content, "html.parser")
    assert soup.select_one("#id_title")["data-w-sync-target-value"] == ""


def test_a_page_created_in_code_without_slug_gets_a_date_slug(news_index):
    page = NewsPage(title=TITLE)
    news_index.add_child(instance=page)
    assert page.slug == timezone.localdate().isoformat()


# --- Tabs: what editors classify sits with what they write ----------------------------------------


def tabs(response):
    """{tab label: [field names in that tab]} as the editor's page shows them."""
    soup = BeautifulSoup(response.content, "html.parser")
    result = {}
    for tab in soup.select('[role="tab"]'):
        panel = soup.select_one(tab["href"])
        names = [
            field["name"] for field in panel.select("[name]") if not field["name"].startswith(("body-", "comment"))
        ]
        result[tab.find(string=True).strip()] = names
    return result


SEO_ONLY = ["slug", "seo_title", "search_description"]


@pytest.mark.parametrize(
    "model, parent_factory, classified",
    [
        ("newspage", f.news_index, ["date", "community", "tags", "feed_image"]),
        ("noticepage", f.notice_index, ["kind", "feed_image"]),
        ("honourrollpage", f.honour_index, ["community", "feed_image"]),
    ],
)
def test_classification_and_cover_are_in_the_content_tab(client, home, editor, model, parent_factory, classified):
    parent = parent_factory()
    response = client.get(reverse("wagtailadmin_pages:add", args=("bulletins", model, parent.pk)))
    by_tab = tabs(response)
    assert set(classified) <= set(by_tab["内容"])
    assert by_tab["推荐"] == SEO_ONLY
    assert "分类与封面" in response.content.decode()


def test_every_page_type_keeps_only_seo_fields_in_promote(client, home):
    client.force_login(get_user_model().objects.create_superuser("tabs-admin"))
    survey = f.add_page(home, QuestionnairePage(title="解放路改造问卷", slug="survey"))
    pages = [home, f.news_index(), f.notice_index(), f.honour_index(), f.standard_page(), survey]
    pages += [f.news(), f.notice(), f.honour_roll()]
    for page in pages:
        assert tabs(client.get(edit_url(page)))["推荐"] == SEO_ONLY, page


# --- The cover image on the article itself --------------------------------------------------------


def test_an_article_shows_its_cover_image_like_its_card(client, home):
    cover = f.image(title="集市现场", size=(1600, 900))
    cover.description = "居民在幸福里广场的便民集市上挑选蔬菜"
    cover.save()
    article = f.news(title=TITLE, feed_image=cover)
    content = client.get(article.url).content.decode()
    soup = BeautifulSoup(content, "html.parser")
    img = soup.select_one("article figure.cover img")
    assert img is not None, content[:3000]
    assert img["alt"] == "居民在幸福里广场的便民集市上挑选蔬菜"
    assert int(img["width"]) > 0 and int(img["height"]) > 0
    # The cover sits above the fold: loaded at once, not lazily.
    assert img.get("loading") != "lazy"
    assert re.search(r"\.webp", img["src"])
    # Its card on the index shows the same image.
    index = BeautifulSoup(client.get("/news/").content, "html.parser")
    assert index.select_one(".news-card img.card-image") is not None


def test_notices_and_honour_rolls_show_their_cover_image_too(client, home):
    cover = f.image(title="集市现场", size=(1200, 800))
    for page in (
        f.notice(title="东门便民集市", feed_image=cover),
        f.honour_roll(title="第三季度红黑榜", feed_image=cover),
    ):
        img = BeautifulSoup(client.get(page.url).content, "html.parser").select_one("article figure.cover img")
        assert img is not None and img["alt"] == "集市现场", page
        assert int(img["width"]) > 0 and int(img["height"]) > 0


def test_a_page_without_cover_shows_no_empty_figure(client, home):
    article = f.news(title=TITLE)
    assert 'figure class="cover"' not in client.get(article.url).content.decode()
