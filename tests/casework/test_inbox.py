"""The case inbox in the admin: who sees what, by URL; filters, search, masking, query budget."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework.models import CalendarDay, CaseEvent, CasePhoto, GrievanceReport
from tests import factories as f
from tests.budget import rendered_queries

pytestmark = pytest.mark.django_db
S = GrievanceReport.State
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def inbox(world):
    """The standard world with a case in each grid and a photo on the case of 第二网格."""
    case_a = f.case(world["grid_a"], reference="SJ-20261122-0001")
    case_b = f.case(world["grid_b"], reference="SJ-20261122-0002", address="解放路 8 号")
    case_y = f.case(world["grid_y"], reference="SJ-20261122-0003", description="西门菜场排水沟堵塞")
    photo = CasePhoto.objects.create(report=case_b, file=ContentFile(b"\xff\xd8\xff\xe0fakejpeg", name="abc.jpg"))
    return {**world, "case_a": case_a, "case_b": case_b, "case_y": case_y, "photo": photo}


def refused(response):
    """Wagtail turns PermissionDenied into a redirect to the dashboard with a message."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def login(client, user):
    client.force_login(user)
    return client


def urls_for(case, photo=None):
    urls = [
        ("get", reverse("casework:detail", args=[case.pk])),
        ("post", reverse("casework:reveal_contact", args=[case.pk])),
        ("post", reverse("casework:action", args=[case.pk, "accept"])),
    ]
    if photo:
        urls.append(("get", reverse("casework:photo", args=[case.pk, photo.pk])))
    return urls


def test_anonymous_is_sent_to_login(client, inbox):
    for method, url in [("get", reverse("casework:index")), *urls_for(inbox["case_b"], inbox["photo"])]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_worker_sees_only_their_grid(client, inbox):
    login(client, inbox["worker_a"])
    listing = client.get(reverse("casework:index"))
    assert listing.status_code == 200
    assert "SJ-20261122-0001" in listing.content.decode()
    assert "SJ-20261122-0002" not in listing.content.decode()
    assert "SJ-20261122-0003" not in listing.content.decode()
    assert client.get(reverse("casework:detail", args=[inbox["case_a"].pk])).status_code == 200


def test_worker_of_grid_a_cannot_reach_a_case_of_grid_b_by_url(client, inbox):
    login(client, inbox["worker_a"])
    for method, url in urls_for(inbox["case_b"], inbox["photo"]):
        assert getattr(client, method)(url).status_code == 404, url
    inbox["case_b"].refresh_from_db()
    assert inbox["case_b"].state == S.SUBMITTED
    assert not CaseEvent.objects.filter(report=inbox["case_b"]).exists()


def test_moderator_sees_their_community_only(client, inbox):
    login(client, inbox["mod_x"])
    content = client.get(reverse("casework:index")).content.decode()
    assert "SJ-20261122-0001" in content and "SJ-20261122-0002" in content
    assert "SJ-20261122-0003" not in content
    for method, url in urls_for(inbox["case_y"]):
        assert getattr(client, method)(url).status_code == 404, url
    assert client.get(reverse("casework:detail", args=[inbox["case_b"].pk])).status_code == 200


def test_editor_sees_nothing(client, inbox):
    login(client, f.editor())
    assert refused(client.get(reverse("casework:index")))
    assert refused(client.get(reverse("casework:supervision")))
    assert refused(client.get(reverse("casework:stats")))
    for method, url in urls_for(inbox["case_a"], inbox["photo"]):
        assert refused(getattr(client, method)(url)), url
    assert not CaseEvent.objects.exists()
    # Neither the 工单 menu (rendered as JSON) nor the dashboard panel links to the cases.
    assert "/admin/cases/" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_worker_has_no_supervision_or_stats(client, inbox):
    login(client, inbox["worker_a"])
    assert refused(client.get(reverse("casework:supervision")))
    assert refused(client.get(reverse("casework:stats")))
    assert refused(client.get(reverse("casework:stats_export")))


def test_superuser_sees_everything(client, inbox, django_user_model):
    login(client, django_user_model.objects.create_superuser("root", "root@example.cn", "x"))
    content = client.get(reverse("casework:index")).content.decode()
    for n in (1, 2, 3):
        assert f"SJ-20261122-000{n}" in content


def test_filters_and_search(client, inbox):
    login(client, inbox["mod_x"])
    case_a, case_b = inbox["case_a"], inbox["case_b"]
    GrievanceReport.objects.filter(pk=case_a.pk).update(state=S.ACCEPTED)
    index = reverse("casework:index")

    def refs(**params):
        content = client.get(index, params).content.decode()
        return {ref for ref in ("SJ-20261122-0001", "SJ-20261122-0002", "SJ-20261122-0003") if ref in content}

    assert refs(state="accepted") == {"SJ-20261122-0001"}
    assert refs(grid=inbox["grid_b"].pk) == {"SJ-20261122-0002"}
    assert refs(community=inbox["x"].pk) == {"SJ-20261122-0001", "SJ-20261122-0002"}
    assert refs(category=case_a.category_id) == {"SJ-20261122-0001", "SJ-20261122-0002"}
    assert refs(q="解放路") == {"SJ-20261122-0002"}
    assert refs(q="0001") == {"SJ-20261122-0001"}
    GrievanceReport.objects.filter(pk=case_b.pk).update(accept_due=timezone.now() - datetime.timedelta(hours=1))
    assert refs(overdue="true") == {"SJ-20261122-0002"}
    assert refs(overdue="false") == {"SJ-20261122-0001"}
    # Another community's grid is not a valid choice, so the filter does not widen the scope.
    assert refs(grid=inbox["grid_y"].pk) <= {"SJ-20261122-0001", "SJ-20261122-0002"}


def test_overdue_rows_are_highlighted_and_sorted_by_due_date(client, inbox):
    login(client, inbox["mod_x"])
    GrievanceReport.objects.filter(pk=inbox["case_b"].pk).update(
        accept_due=timezone.now() - datetime.timedelta(hours=1),
        resolve_due=timezone.now() - datetime.timedelta(hours=1),
    )
    content = client.get(reverse("casework:index")).content.decode()
    assert "case-overdue" in content
    assert content.index("SJ-20261122-0002") < content.index("SJ-20261122-0001")
    content = client.get(reverse("casework:index"), {"ordering": "-resolve_due"}).content.decode()
    assert content.index("SJ-20261122-0001") < content.index("SJ-20261122-0002")


def dispatched_to_worker_a(inbox):
    """case_a in worker_a's hands: only the assignee (and the community's moderators) may reveal a contact."""
    GrievanceReport.objects.filter(pk=inbox["case_a"].pk).update(state="dispatched", assignee=inbox["worker_a"])


def test_contact_is_masked_in_list_and_detail(client, inbox):
    dispatched_to_worker_a(inbox)
    login(client, inbox["worker_a"])
    listing = client.get(reverse("casework:index")).content.decode()
    assert "王**" in listing and "138****5678" in listing
    assert "13812345678" not in listing and "王秀兰" not in listing
    detail = client.get(reverse("casework:detail", args=[inbox["case_a"].pk])).content.decode()
    assert "13812345678" not in detail and "王秀兰" not in detail
    assert "显示完整联系方式" in detail


def test_reveal_shows_full_contact_and_is_logged(client, inbox):
    dispatched_to_worker_a(inbox)
    login(client, inbox["worker_a"])
    case = inbox["case_a"]
    assert client.get(reverse("casework:reveal_contact", args=[case.pk])).status_code == 405
    response = client.post(reverse("casework:reveal_contact", args=[case.pk]), follow=True)
    content = response.content.decode()
    assert "13812345678" in content and "王秀兰" in content
    event = CaseEvent.objects.get(report=case, action="reveal_contact")
    assert event.actor == inbox["worker_a"] and event.public is False
    assert "查看完整联系方式" in content  # shown in the timeline
    # Another case stays masked.
    other = f.case(inbox["grid_a"], reporter_name="李建国", reporter_mobile="13900001111")
    assert "13900001111" not in client.get(reverse("casework:detail", args=[other.pk])).content.decode()


def test_reveal_needs_csrf(inbox):

    client = Client(enforce_csrf_checks=True)
    client.force_login(inbox["worker_a"])
    response = client.post(reverse("casework:reveal_contact", args=[inbox["case_a"].pk]))
    assert response.status_code == 403
    assert not CaseEvent.objects.filter(action="reveal_contact").exists()


def test_photo_is_served_with_safe_headers(client, inbox):
    login(client, inbox["worker_b"])
    response = client.get(reverse("casework:photo", args=[inbox["case_b"].pk, inbox["photo"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Content-Disposition"] == "inline"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    # A photo id of another case through this case's URL is not found.
    assert client.get(reverse("casework:photo", args=[inbox["case_a"].pk, inbox["photo"].pk])).status_code == 404


def test_hostile_text_is_escaped_in_list_and_detail(client, inbox):
    hostile = f.case(inbox["grid_a"], address=HOSTILE, description=HOSTILE)
    CaseEvent.objects.create(report=hostile, action="accept", to_state=S.ACCEPTED, note=HOSTILE)
    login(client, inbox["worker_a"])
    for url in (reverse("casework:index"), reverse("casework:detail", args=[hostile.pk])):
        content = client.get(url).content.decode()
        assert HOSTILE not in content, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content, url


def test_supervision_list_shows_overdue_cases_of_the_community(client, inbox):
    late = timezone.now() - datetime.timedelta(hours=2)
    GrievanceReport.objects.filter(pk__in=[inbox["case_b"].pk, inbox["case_y"].pk]).update(accept_due=late)
    login(client, inbox["mod_x"])
    content = client.get(reverse("casework:supervision")).content.decode()
    assert "SJ-20261122-0002" in content
    assert "SJ-20261122-0001" not in content and "SJ-20261122-0003" not in content


def test_dashboard_panel_counts(client, inbox):
    GrievanceReport.objects.filter(pk=inbox["case_b"].pk).update(
        accept_due=timezone.now() - datetime.timedelta(hours=1)
    )
    login(client, inbox["mod_x"])
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "我的工单" in content and "/admin/cases/supervision/" in content  # the 督办 menu item
    assert 'data-count="open">2<' in content
    assert 'data-count="overdue">1<' in content


def test_dashboard_warns_when_next_year_calendar_is_missing(client, inbox, monkeypatch):
    monkeypatch.setattr("casework.wagtail_hooks.year_is_loaded", lambda year: False)
    login(client, inbox["mod_x"])
    assert "data-calendar-warning" in client.get(reverse("wagtailadmin_home")).content.decode()
    monkeypatch.setattr("casework.wagtail_hooks.year_is_loaded", lambda year: True)
    assert "data-calendar-warning" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_snippets_for_time_limits_and_holidays(client, django_user_model):
    login(client, django_user_model.objects.create_superuser("root2", "r@example.cn", "x"))
    categories = client.get(reverse("wagtailsnippets_casework_casecategory:list"))
    assert categories.status_code == 200 and "噪音扰民" in categories.content.decode()
    assert client.get(reverse("wagtailsnippets_casework_calendarday:list")).status_code == 200


def test_calendar_list_warns_when_next_year_is_missing(client, django_user_model, monkeypatch):
    login(client, django_user_model.objects.create_superuser("root3", "r@example.cn", "x"))
    monkeypatch.setattr("casework.wagtail_hooks.year_is_loaded", lambda year: False)
    content = client.get(reverse("wagtailsnippets_casework_calendarday:list")).content.decode()
    assert "节假日安排尚未载入" in content
    monkeypatch.setattr("casework.wagtail_hooks.year_is_loaded", lambda year: True)
    content = client.get(reverse("wagtailsnippets_casework_calendarday:list")).content.decode()
    assert "节假日安排尚未载入" not in content


def test_list_query_count_is_constant(client, inbox, django_assert_max_num_queries):
    workers = [f.grid_worker(inbox["grid_a"]) for _ in range(3)]

    def add_cases(count):
        for n in range(count):
            f.case(inbox["grid_a"], state=S.DISPATCHED, assignee=workers[n % 3])

    login(client, inbox["mod_x"])
    url = reverse("casework:index")
    add_cases(3)
    small = rendered_queries(django_assert_max_num_queries, client, url, budget=20)
    add_cases(40)  # more than one page
    large = rendered_queries(django_assert_max_num_queries, client, url, budget=20)
    assert small == large
    page_two = rendered_queries(django_assert_max_num_queries, client, url + "?p=2", budget=20)
    assert page_two == large
    print(f"case list queries: {large}")


def test_old_addresses_of_the_settings_snippets_lead_to_the_new_ones(admin_client):
    """Bookmarks from before casework had its own app still land on the same page."""
    response = admin_client.get("/admin/snippets/intake/casecategory/")
    assert response.status_code == 301 and response["Location"] == "/admin/snippets/casework/casecategory/"
    day = CalendarDay.objects.create(date=datetime.date(2027, 1, 1), note="元旦")
    response = admin_client.get(f"/admin/snippets/intake/calendarday/edit/{day.pk}/", follow=True)
    assert response.status_code == 200 and "元旦" in response.content.decode()


def _moments(content, reference):
    """The date-time cells of `reference`'s row, in column order (受理期限, 办结期限, 提交时间): (text, red)."""
    row = content[content.index(reference) :]
    row = row[: row.index("</tr>")]
    spans = re.findall(r'<span class="deadline([^"]*)"[^>]*>(.*?)</span>', row, re.S)
    return [(" ".join(re.sub(r"<[^>]+>", " ", text).split()), "deadline--overdue" in cls) for cls, text in spans]


def test_deadlines_show_date_and_time_and_overdue_ones_in_red(client, inbox):
    """Future deadlines read as a date and time, not Wagtail's "刚刚"; a missed one is red and says 已超期."""
    zone = ZoneInfo("Asia/Shanghai")
    ahead = datetime.datetime(2036, 11, 23, 16, 30, tzinfo=zone)
    GrievanceReport.objects.filter(pk=inbox["case_a"].pk).update(
        accept_due=ahead, resolve_due=ahead + datetime.timedelta(days=7)
    )
    missed = timezone.now() - datetime.timedelta(hours=3)
    GrievanceReport.objects.filter(pk=inbox["case_b"].pk).update(accept_due=missed)
    login(client, inbox["mod_x"])
    content = client.get(reverse("casework:index")).content.decode()
    assert "刚刚" not in content
    accept_a, resolve_a, created_a = _moments(content, "SJ-20261122-0001")
    assert accept_a == ("2036年11月23日 16:30", False)
    assert resolve_a == ("2036年11月30日 16:30", False)
    assert created_a[0] == timezone.localtime(inbox["case_a"].created_at).strftime("%Y年%-m月%-d日 %H:%M")
    accept_b, resolve_b, _created = _moments(content, "SJ-20261122-0002")
    assert accept_b == (timezone.localtime(missed).strftime("%Y年%-m月%-d日 %H:%M") + " 已超期", True)
    assert resolve_b[1] is False  # the resolve deadline of the same case is still ahead
    # The case page says the same.
    detail = client.get(reverse("casework:detail", args=[inbox["case_b"].pk])).content.decode()
    assert "deadline--overdue" in detail and "已超期" in detail
    detail = client.get(reverse("casework:detail", args=[inbox["case_a"].pk])).content.decode()
    assert "2036年11月23日 16:30" in detail and "已超期" not in detail
