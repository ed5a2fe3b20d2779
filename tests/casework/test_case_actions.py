"""Every case action through the admin view: allowed ones move the case, refused ones say why."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from casework.models import CaseEvent, CasePhoto, GrievanceReport
from tests import factories as f

pytestmark = pytest.mark.django_db
S = GrievanceReport.State


def post(client, user, report, action, follow=True, **data):
    client.force_login(user)
    payload = {f"{action}-{key}": value for key, value in data.items()}
    return client.post(reverse("casework:action", args=[report.pk, action]), payload, follow=follow)


def state_of(report):
    report.refresh_from_db()
    return report.state


def png_upload(name="result.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_detail_offers_forms_for_allowed_actions_only(client, world):
    report = f.case(world["grid_a"])
    client.force_login(world["mod_x"])
    content = client.get(reverse("casework:detail", args=[report.pk])).content.decode()
    for action in ("accept", "decline", "mark_duplicate"):
        assert f'data-admin-action="{action}"' in content
    assert 'data-admin-action="resolve"' not in content
    client.force_login(world["worker_a"])
    content = client.get(reverse("casework:detail", args=[report.pk])).content.decode()
    assert 'data-admin-action="accept"' not in content and "没有可执行的操作" in content


def offered(client, user, report, **query):
    """The case page's actions as a person sees them: [(button, form's submit button, open?)]."""
    client.force_login(user)
    soup = BeautifulSoup(client.get(reverse("casework:detail", args=[report.pk]), query).content, "html.parser")
    return [
        (
            item.summary.get_text(strip=True),
            item.select_one("form button[type=submit]").get_text(strip=True),
            item.has_attr("open"),
        )
        for item in soup.select("section.admin-actions details.admin-action")
    ]


@pytest.mark.parametrize(
    "state, who, expected",
    [
        ("submitted", "mod_x", ["受理", "不予受理", "标记为重复件"]),
        ("accepted", "mod_x", ["派单", "标记为重复件", "转办"]),
        ("dispatched", "worker_a", ["开始办理", "退单"]),
        ("in_progress", "worker_a", ["办结", "退单"]),
        ("followed_up", "mod_x", ["归档", "重办"]),
    ],
)
def test_each_action_is_a_button_opening_its_own_form_the_next_step_first(client, world, state, who, expected):
    report = f.assigned_case(world["grid_a"], world["worker_a"], state=state)
    actions = offered(client, world[who], report)
    assert [button for button, _submit, _open in actions] == expected
    assert [submit for _button, submit, _open in actions] == [f"确认{label}" for label in expected]
    assert not any(is_open for *_rest, is_open in actions)  # closed until the person picks one
    client.force_login(world[who])
    soup = BeautifulSoup(client.get(reverse("casework:detail", args=[report.pk])).content, "html.parser")
    first = soup.select_one("section.admin-actions details.admin-action")
    assert "admin-action--primary" in first["class"] and "button-secondary" not in first.summary["class"]


def test_a_refused_action_opens_its_form_again(client, world):
    report = f.case(world["grid_a"])
    response = post(client, world["mod_x"], report, "decline", note="")
    assert "请填写不予受理的说明" in response.content.decode()
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("details#action-decline").has_attr("open")
    assert not soup.select_one("details#action-accept").has_attr("open")


def test_accept(client, world):
    report = f.case(world["grid_a"])
    response = post(client, world["mod_x"], report, "accept")
    assert response.status_code == 200 and "已受理" in response.content.decode()
    assert state_of(report) == S.ACCEPTED
    event = CaseEvent.objects.get(report=report, action="accept")
    assert event.actor == world["mod_x"]


def test_worker_cannot_accept_by_url(client, world):
    report = f.case(world["grid_a"])
    response = post(client, world["worker_a"], report, "accept")
    assert response.status_code == 200 and "您的角色不能执行“受理”" in response.content.decode()
    assert state_of(report) == S.SUBMITTED
    assert not CaseEvent.objects.filter(report=report).exists()


def test_decline_needs_a_reason(client, world):
    report = f.case(world["grid_a"])
    response = post(client, world["mod_x"], report, "decline", note="  ")
    assert "请填写不予受理的说明" in response.content.decode()
    assert state_of(report) == S.SUBMITTED
    post(client, world["mod_x"], report, "decline", note="属于物业管理范围，已告知物业电话", public="on")
    assert state_of(report) == S.DECLINED
    assert CaseEvent.objects.get(report=report, action="decline").public is True


def test_mark_duplicate_by_reference(client, world):
    original = f.case(world["grid_a"], reference="SJ-20261120-0007")
    elsewhere = f.case(world["grid_y"], reference="SJ-20261120-0008")
    report = f.case(world["grid_a"])
    response = post(client, world["mod_x"], report, "mark_duplicate", reference=elsewhere.reference)
    assert "找不到这个工单编号" in response.content.decode()
    assert state_of(report) == S.SUBMITTED
    post(client, world["mod_x"], report, "mark_duplicate", reference="sj-20261120-0007")
    report.refresh_from_db()
    assert report.state == S.DUPLICATE and report.duplicate_of == original


def test_dispatch_to_a_worker_of_the_grid_only(client, world):
    report = f.case(world["grid_a"], state=S.ACCEPTED)
    post(client, world["mod_x"], report, "dispatch", assignee=world["worker_b"].pk)
    assert state_of(report) == S.ACCEPTED
    post(client, world["mod_x"], report, "dispatch", assignee=world["worker_a"].pk, note="请今天上门查看")
    report.refresh_from_db()
    assert report.state == S.DISPATCHED and report.assignee == world["worker_a"]


def test_transfer_within_the_moderators_communities(client, world):
    report = f.case(world["grid_a"], state=S.ACCEPTED)
    post(client, world["mod_x"], report, "transfer", grid=world["grid_y"].pk, note="不属于本社区")
    assert state_of(report) == S.ACCEPTED and report.grid == world["grid_a"]
    post(client, world["mod_x"], report, "transfer", grid=world["grid_b"].pk, note="地址在第二网格")
    report.refresh_from_db()
    assert report.grid == world["grid_b"]
    # The first grid's worker no longer sees it.
    client.force_login(world["worker_a"])
    assert client.get(reverse("casework:detail", args=[report.pk])).status_code == 404


def test_worker_returns_starts_and_resolves_with_photo(client, world):
    report = f.case(world["grid_a"], state=S.DISPATCHED, assignee=world["worker_a"])
    post(client, world["worker_a"], report, "return", note="")
    assert state_of(report) == S.DISPATCHED
    post(client, world["worker_a"], report, "start")
    assert state_of(report) == S.IN_PROGRESS
    client.force_login(world["worker_a"])
    response = client.post(
        reverse("casework:action", args=[report.pk, "resolve"]),
        {"resolve-note": "已协调店主晚十点后停止外放音乐", "resolve-public": "on", "resolve-photos": [png_upload()]},
        follow=True,
    )
    assert "已办结" in response.content.decode()
    report.refresh_from_db()
    assert report.state == S.RESOLVED and report.result == "已协调店主晚十点后停止外放音乐"
    photo = CasePhoto.objects.get(report=report)
    assert photo.kind == CasePhoto.Kind.RESULT and photo.file.name != "result.png"


def test_worker_return(client, world):
    report = f.case(world["grid_a"], state=S.IN_PROGRESS, assignee=world["worker_a"])
    post(client, world["worker_a"], report, "return", note="这是楼上住户的问题，不属于商户")
    report.refresh_from_db()
    assert report.state == S.RETURNED and report.assignee is None


def test_resolve_refuses_a_hostile_file_and_changes_nothing(client, world):
    report = f.case(world["grid_a"], state=S.IN_PROGRESS, assignee=world["worker_a"])
    svg = SimpleUploadedFile("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    client.force_login(world["worker_a"])
    response = client.post(
        reverse("casework:action", args=[report.pk, "resolve"]),
        {"resolve-note": "已处理", "resolve-photos": [svg]},
        follow=True,
    )
    assert "网页代码" in response.content.decode()
    assert state_of(report) == S.IN_PROGRESS
    assert not CasePhoto.objects.exists()


def test_follow_up_note_is_internal_by_default(client, world):
    report = f.case(world["grid_a"], state=S.RESOLVED, assignee=world["worker_a"])
    post(client, world["worker_a"], report, "follow_up", note="电话回访，居民表示音乐已停")
    assert state_of(report) == S.FOLLOWED_UP
    assert CaseEvent.objects.get(report=report, action="follow_up").public is False


def test_reopen_and_close(client, world):
    report = f.case(world["grid_a"], state=S.FOLLOWED_UP, assignee=world["worker_a"])
    post(client, world["mod_x"], report, "reopen", note="居民反映又开始了")
    assert state_of(report) == S.DISPATCHED
    done = f.case(world["grid_a"], state=S.FOLLOWED_UP, assignee=world["worker_a"])
    post(client, world["mod_x"], done, "close")
    assert state_of(done) == S.CLOSED


def test_refused_transition_shows_message_and_changes_nothing(client, world):
    report = f.case(world["grid_a"])
    response = post(client, world["mod_x"], report, "close")
    assert response.status_code == 200
    assert "工单当前状态为“待受理”，不能归档。" in response.content.decode()
    assert state_of(report) == S.SUBMITTED
    assert not CaseEvent.objects.filter(report=report).exists()


def test_unknown_action_and_get_are_refused(client, world):
    report = f.case(world["grid_a"])
    client.force_login(world["mod_x"])
    assert client.post(reverse("casework:action", args=[report.pk, "delete"])).status_code == 404
    assert client.get(reverse("casework:action", args=[report.pk, "accept"])).status_code == 405


def test_hostile_note_is_escaped_in_the_timeline(client, world):
    report = f.case(world["grid_a"])
    post(client, world["mod_x"], report, "decline", note="<script>alert(1)</script>")
    client.force_login(world["mod_x"])
    content = client.get(reverse("casework:detail", args=[report.pk])).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
