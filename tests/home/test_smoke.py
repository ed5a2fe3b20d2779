import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_public_pages_render(client, home):
    c = f.community(name="东门社区", slug="dongmen")
    m = f.merchant(name="老王面馆", community_=c, offers="老人九折")
    f.news(title="联盟召开月月谈", community=c, tags=["议事"])
    f.notice(title="每月18日便民集市", repeat="monthly_day", repeat_day=18)
    f.honour_roll(honours=[(m, "red_flag", "油烟治理做得好")])
    for url in ["/", "/news/", "/notices/", "/honour-rolls/", "/merchants/", f"/merchants/{m.pk}/", "/search/?q=面馆"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "老王面馆" in client.get("/").content.decode()
