"""The case inbox in the admin: who sees what, by URL; filters, search, masking, query budget."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from forms.models import CaseEvent, CasePhoto, GrievanceReport
from tests import factories as f

pytestmark = pytest.mark.django_db
S = GrievanceReport.State
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def world():
    x, y = f.community(name="东门社区"), f.community(name="西门社区")
    grid_a, grid_b, grid_y = f.grid(x, name="第一网格"), f.grid(x, name="第二网格"), f.grid(y, name="西一网格")
    worker_a, worker_b = f.grid_worker(grid_a), f.grid_worker(grid_b)
    mod_x, mod_y = f.community_moderator(x), f.community_moderator(y)
    case_a = f.case(grid_a, reference="SJ-20261122-0001")
    case_b = f.case(grid_b, reference="SJ-20261122-0002", address="解放路 8 号")
    case_y = f.case(grid_y, reference="SJ-20261122-0003", description="西门菜场排水沟堵塞")
    photo = CasePhoto.objects.create(report=case_b, file=ContentFile(b"\xff\xd8\xff\xe0fakejpeg", name="abc.jpg"))
    return locals()


def refused(response):
    """Wagtail turns PermissionDenied into a redirect to the dashboard with a message."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def login(client, user):
    client.force_login(user)
    return client


def urls_for(case, photo=None):
    urls = [
        ("get", reverse("intake_cases:detail", args=[case.pk])),
        ("post", reverse("intake_cases:reveal_contact", args=[case.pk])),
        ("post", reverse("intake_cases:action", args=[case.pk, "accept"])),
    ]
    if photo:
        urls.append(("get", reverse("intake_cases:photo", args=[case.pk, photo.pk])))
    return urls


def test_anonymous_is_sent_to_login(client, world):
    for method, url in [("get", reverse("intake_cases:index")), *urls_for(world["case_b"], world["photo"])]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_worker_sees_only_their_grid(client, world):
    login(client, world["worker_a"])
    listing = client.get(reverse("intake_cases:index"))
    assert listing.status_code == 200
    assert "SJ-20261122-0001" in listing.content.decode()
    assert "SJ-20261122-0002" not in listing.content.decode()
    assert "SJ-20261122-0003" not in listing.content.decode()
    assert client.get(reverse("intake_cases:detail", args=[world["case_a"].pk])).status_code == 200


def test_worker_of_grid_a_cannot_reach_a_case_of_grid_b_by_url(client, world):
    login(client, world["worker_a"])
    for method, url in urls_for(world["case_b"], world["photo"]):
        assert getattr(client, method)(url).status_code == 404, url
    world["case_b"].refresh_from_db()
    assert world["case_b"].state == S.SUBMITTED
    assert not CaseEvent.objects.filter(report=world["case_b"]).exists()


def test_moderator_sees_their_community_only(client, world):
    login(client, world["mod_x"])
    content = client.get(reverse("intake_cases:index")).content.decode()
    assert "SJ-20261122-0001" in content and "SJ-20261122-0002" in content
    assert "SJ-20261122-0003" not in content
    for method, url in urls_for(world["case_y"]):
        assert getattr(client, method)(url).status_code == 404, url
    assert client.get(reverse("intake_cases:detail", args=[world["case_b"].pk])).status_code == 200


def test_editor_sees_nothing(client, world):
    login(client, f.editor())
    assert refused(client.get(reverse("intake_cases:index")))
    assert refused(client.get(reverse("intake_cases:supervision")))
    assert refused(client.get(reverse("intake_cases:stats")))
    for method, url in urls_for(world["case_a"], world["photo"]):
        assert refused(getattr(client, method)(url)), url
    assert not CaseEvent.objects.exists()
    # Neither the 工单 menu (rendered as JSON) nor the dashboard panel links to the cases.
    assert "/admin/cases/" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_worker_has_no_supervision_or_stats(client, world):
    login(client, world["worker_a"])
    assert refused(client.get(reverse("intake_cases:supervision")))
    assert refused(client.get(reverse("intake_cases:stats")))
    assert refused(client.get(reverse("intake_cases:stats_export")))


def test_superuser_sees_everything(client, world, django_user_model):
    login(client, django_user_model.objects.create_superuser("root", "root@example.cn", "x"))
    content = client.get(reverse("intake_cases:index")).content.decode()
    for n in (1, 2, 3):
        assert f"SJ-20261122-000{n}" in content


def test_filters_and_search(client, world):
    login(client, world["mod_x"])
    case_a, case_b = world["case_a"], world["case_b"]
    GrievanceReport.objects.filter(pk=case_a.pk).update(state=S.ACCEPTED)
    index = reverse("intake_cases:index")

    def refs(**params):
        content = client.get(index, params).content.decode()
        return {ref for ref in ("SJ-20261122-0001", "SJ-20261122-0002", "SJ-20261122-0003") if ref in content}

    assert refs(state="accepted") == {"SJ-20261122-0001"}
    assert refs(grid=world["grid_b"].pk) == {"SJ-20261122-0002"}
    assert refs(community=world["x"].pk) == {"SJ-20261122-0001", "SJ-20261122-0002"}
    assert refs(category=case_a.category_id) == {"SJ-20261122-0001", "SJ-20261122-0002"}
    assert refs(q="解放路") == {"SJ-20261122-0002"}
    assert refs(q="0001") == {"SJ-20261122-0001"}
    GrievanceReport.objects.filter(pk=case_b.pk).update(accept_due=timezone.now() - datetime.timedelta(hours=1))
    assert refs(overdue="true") == {"SJ-20261122-0002"}
    assert refs(overdue="false") == {"SJ-20261122-0001"}
    # Another community's grid is not a valid choice, so the filter does not widen the scope.
    assert refs(grid=world["grid_y"].pk) <= {"SJ-20261122-0001", "SJ-20261122-0002"}


def test_overdue_rows_are_highlighted_and_sorted_by_due_date(client, world):
    login(client, world["mod_x"])
    GrievanceReport.objects.filter(pk=world["case_b"].pk).update(
        accept_due=timezone.now() - datetime.timedelta(hours=1),
        resolve_due=timezone.now() - datetime.timedelta(hours=1),
    )
    content = client.get(reverse("intake_cases:index")).content.decode()
    assert "intake-overdue" in content
    assert content.index("SJ-20261122-0002") < content.index("SJ-20261122-0001")
    content = client.get(reverse("intake_cases:index"), {"ordering": "-resolve_due"}).content.decode()
    assert content.index("SJ-20261122-0001") < content.index("SJ-20261122-0002")


def test_contact_is_masked_in_list_and_detail(client, world):
    login(client, world["worker_a"])
    listing = client.get(reverse("intake_cases:index")).content.decode()
    assert "王**" in listing and "138****5678" in listing
    assert "13812345678" not in listing and "王秀兰" not in listing
    detail = client.get(reverse("intake_cases:detail", args=[world["case_a"].pk])).content.decode()
    assert "13812345678" not in detail and "王秀兰" not in detail
    assert "显示完整联系方式" in detail


def test_reveal_shows_full_contact_and_is_logged(client, world):
    login(client, world["worker_a"])
    case = world["case_a"]
    assert client.get(reverse("intake_cases:reveal_contact", args=[case.pk])).status_code == 405
    response = client.post(reverse("intake_cases:reveal_contact", args=[case.pk]), follow=True)
    content = response.content.decode()
    assert "13812345678" in content and "王秀兰" in content
    event = CaseEvent.objects.get(report=case, action="reveal_contact")
    assert event.actor == world["worker_a"] and event.public is False
    assert "查看完整联系方式" in content  # shown in the timeline
    # Another case stays masked.
    other = f.case(world["grid_a"], reporter_name="李建国", reporter_mobile="13900001111")
    assert "13900001111" not in client.get(reverse("intake_cases:detail", args=[other.pk])).content.decode()


def test_reveal_needs_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["worker_a"])
    response = client.post(reverse("intake_cases:reveal_contact", args=[world["case_a"].pk]))
    assert response.status_code == 403
    assert not CaseEvent.objects.filter(action="reveal_contact").exists()


def test_photo_is_served_with_safe_headers(client, world):
    login(client, world["worker_b"])
    response = client.get(reverse("intake_cases:photo", args=[world["case_b"].pk, world["photo"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Content-Disposition"] == "inline"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    # A photo id of another case through this case's URL is not found.
    assert client.get(reverse("intake_cases:photo", args=[world["case_a"].pk, world["photo"].pk])).status_code == 404


def test_hostile_text_is_escaped_in_list_and_detail(client, world):
    hostile = f.case(world["grid_a"], address=HOSTILE, description=HOSTILE)
    CaseEvent.objects.create(report=hostile, action="accept", to_state=S.ACCEPTED, note=HOSTILE)
    login(client, world["worker_a"])
    for url in (reverse("intake_cases:index"), reverse("intake_cases:detail", args=[hostile.pk])):
        content = client.get(url).content.decode()
        assert HOSTILE not in content, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content, url


def test_supervision_list_shows_overdue_cases_of_the_community(client, world):
    late = timezone.now() - datetime.timedelta(hours=2)
    GrievanceReport.objects.filter(pk__in=[world["case_b"].pk, world["case_y"].pk]).update(accept_due=late)
    login(client, world["mod_x"])
    content = client.get(reverse("intake_cases:supervision")).content.decode()
    assert "SJ-20261122-0002" in content
    assert "SJ-20261122-0001" not in content and "SJ-20261122-0003" not in content


def test_dashboard_panel_counts(client, world):
    GrievanceReport.objects.filter(pk=world["case_b"].pk).update(
        accept_due=timezone.now() - datetime.timedelta(hours=1)
    )
    login(client, world["mod_x"])
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "我的工单" in content and "/admin/cases/supervision/" in content  # the 督办 menu item
    assert 'data-count="open">2<' in content
    assert 'data-count="overdue">1<' in content


def test_dashboard_warns_when_next_year_calendar_is_missing(client, world, monkeypatch):
    monkeypatch.setattr("forms.wagtail_hooks.year_is_loaded", lambda year: False)
    login(client, world["mod_x"])
    assert "data-calendar-warning" in client.get(reverse("wagtailadmin_home")).content.decode()
    monkeypatch.setattr("forms.wagtail_hooks.year_is_loaded", lambda year: True)
    assert "data-calendar-warning" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_snippets_for_time_limits_and_holidays(client, django_user_model):
    login(client, django_user_model.objects.create_superuser("root2", "r@example.cn", "x"))
    categories = client.get(reverse("wagtailsnippets_intake_casecategory:list"))
    assert categories.status_code == 200 and "噪音扰民" in categories.content.decode()
    assert client.get(reverse("wagtailsnippets_intake_calendarday:list")).status_code == 200


def test_calendar_list_warns_when_next_year_is_missing(client, django_user_model, monkeypatch):
    login(client, django_user_model.objects.create_superuser("root3", "r@example.cn", "x"))
    monkeypatch.setattr("forms.wagtail_hooks.year_is_loaded", lambda year: False)
    content = client.get(reverse("wagtailsnippets_intake_calendarday:list")).content.decode()
    assert "节假日安排尚未载入" in content
    monkeypatch.setattr("forms.wagtail_hooks.year_is_loaded", lambda year: True)
    content = client.get(reverse("wagtailsnippets_intake_calendarday:list")).content.decode()
    assert "节假日安排尚未载入" not in content


def test_list_query_count_is_constant(client, world, django_assert_max_num_queries):
    workers = [f.grid_worker(world["grid_a"]) for _ in range(3)]

    def add_cases(count):
        for n in range(count):
            f.case(world["grid_a"], state=S.DISPATCHED, assignee=workers[n % 3])

    login(client, world["mod_x"])
    url = reverse("intake_cases:index")
    add_cases(3)
    small = f.rendered_queries(django_assert_max_num_queries, client, url, budget=20)
    add_cases(40)  # more than one page
    large = f.rendered_queries(django_assert_max_num_queries, client, url, budget=20)
    assert small == large
    page_two = f.rendered_queries(django_assert_max_num_queries, client, url + "?p=2", budget=20)
    assert page_two == large
    print(f"case list queries: {large}")
