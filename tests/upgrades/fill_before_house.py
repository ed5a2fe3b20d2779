"""Fill a database the way the code before the house move (commit 94c95db) left it: run by THAT
code (`manage.py shell < this file` in a checkout of the commit), after its demo content.

It uses the old modules on purpose (forms.casework, forms.reporting, forms.application_admin):
this is what users of the previous release saved. Everything staff can hold: cases in every state
with photos, ratings, reopenings, supervision and contact reveals; merchant applications in every
state, including one sent back and resubmitted; questionnaire answers; holidays; staff in every
group with their communities and grids.
"""

import datetime
import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from wagtail.contrib.forms.models import FormSubmission

from alliance.models import Community
from forms.application_admin import approve, ask_for_more, reject
from forms.applications import submit_application
from forms.casework import perform, rate
from forms.models import (
    CalendarDay,
    CaseCategory,
    CaseEvent,
    CasePhoto,
    Convention,
    MerchantApplication,
    QuestionnaireField,
    QuestionnairePage,
)
from forms.reporting import submit_report
from home.models import HomePage

User = get_user_model()


def jpeg(color):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), color).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def staff(username, group, **extra):
    user = User.objects.create_user(username, f"{username}@example.cn", "correct horse battery", **extra)
    user.groups.add(Group.objects.get(name=group))
    return user


community = Community.objects.order_by("pk").first()
other_community = Community.objects.exclude(pk=community.pk).order_by("pk").first()
grid = community.grids.order_by("pk").first()
other_grid = community.grids.exclude(pk=grid.pk).order_by("pk").first()

editor = staff("old_editor", "编辑")
moderator = staff("old_moderator", "审核")
community.moderators.add(moderator)
worker = staff("old_worker", "网格员")
grid.workers.add(worker)
other_worker = staff("old_worker_b", "网格员")
other_grid.workers.add(other_worker)
outsider_moderator = staff("old_moderator_y", "审核")
other_community.moderators.add(outsider_moderator)

CalendarDay.objects.create(date=datetime.date(2027, 2, 7), is_workday=True, note="春节调休上班")
CalendarDay.objects.create(date=datetime.date(2027, 2, 10), is_workday=False, note="春节")

# --- Cases in every state -----------------------------------------------------------------

PATHS = {
    "submitted": [],
    "accepted": [("accept", {})],
    "declined": [("decline", {"note": "不属于社区职责"})],
    "duplicate": [("mark_duplicate", {})],
    "dispatched": [("accept", {}), ("dispatch", {"assignee": worker})],
    "returned": [
        ("accept", {}),
        ("dispatch", {"assignee": worker}),
        ("return", {"note": "不是本网格", "role": "worker"}),
    ],
    "in_progress": [("accept", {}), ("dispatch", {"assignee": worker}), ("start", {"role": "worker"})],
    "resolved": [
        ("accept", {}),
        ("dispatch", {"assignee": worker}),
        ("start", {"role": "worker"}),
        ("resolve", {"note": "已处理完毕", "role": "worker"}),
    ],
    "followed_up": [
        ("accept", {}),
        ("dispatch", {"assignee": worker}),
        ("start", {"role": "worker"}),
        ("resolve", {"note": "已处理完毕", "role": "worker"}),
        ("follow_up", {"note": "已电话回访"}),
    ],
    "closed": [
        ("accept", {}),
        ("dispatch", {"assignee": worker}),
        ("start", {"role": "worker"}),
        ("resolve", {"note": "已处理完毕", "role": "worker"}),
        ("close", {}),
    ],
}
category = CaseCategory.objects.get(slug="cooking_fumes")
first = None
for number, (target, path) in enumerate(PATHS.items()):
    report, _secret = submit_report(
        f"old-case-{number}",
        category=category,
        grid=grid,
        address=f"解放路 {number} 号",
        description=f"旧版本保存的工单：{target}",
        contact={"name": "王秀兰", "mobile": "13812345678", "email": "wang@example.com", "consent": True},
        photos=[jpeg((number * 20, 90, 120))] if number % 2 else [],
    )
    first = first or report
    for action, data in path:
        data = dict(data)
        role = data.pop("role", "moderator")
        note = data.pop("note", "")
        if action == "mark_duplicate":
            data["duplicate_of"] = first
        actor = worker if role == "worker" else moderator
        report, _event = perform(report, action, actor, role=role, note=note, **data)
    assert report.state == target, (target, report.state)

# A rating, an unsatisfied one that reopened its case, a supervision and a contact reveal.
rated = submit_report(
    "old-case-rated",
    category=category,
    grid=grid,
    address="幸福巷 1 号",
    description="旧版本的已评价工单",
    contact={"name": "李四", "mobile": "13900001111", "consent": True},
)[0]
reopened = submit_report(
    "old-case-reopened",
    category=category,
    grid=grid,
    address="幸福巷 2 号",
    description="旧版本的重办工单",
    contact={"name": "张三", "mobile": "13700002222", "consent": True},
)[0]
for report in (rated, reopened):
    for action, data in PATHS["resolved"]:
        data = dict(data)
        role = data.pop("role", "moderator")
        report, _event = perform(report, action, worker if role == "worker" else moderator, role=role, **data)
rate(rated, "satisfied", "处理得很好")
rate(reopened, "unsatisfied", "还是有油烟")
CasePhoto.objects.create(report=rated, kind="result", file=jpeg((200, 40, 40)))
late = submit_report(
    "old-case-late",
    category=category,
    grid=other_grid,
    address="菜市巷",
    description="旧版本的超期工单",
)[0]
now = timezone.now()
late.__class__.objects.filter(pk=late.pk).update(overdue=True, supervised_at=now)
CaseEvent.objects.create(report=late, action="supervise", from_state="submitted", to_state="submitted", note="超期")
CaseEvent.objects.create(
    report=rated, action="reveal_contact", from_state=rated.state, to_state=rated.state, actor=worker, note="查看"
)

# --- Merchant applications in every state ----------------------------------------------------

convention = Convention.current()


def application(number, **shop):
    return submit_application(
        f"old-application-{number}",
        shop={
            "shop_name": f"旧版申请{number}",
            "category": "restaurant",
            "address": f"解放路 {100 + number} 号",
            "community": community,
            "grid": grid,
            "credit_code": f"91110105MA01ABC{number:02d}X",
            **shop,
        },
        contact={"contact_person": "王建国", "mobile": "13900001111", "email": "shop@example.com"},
        offers={"offers": "九折", "opening_hours": "全天"},
        photos=[("shop_front", jpeg((30, 30, 200)))],
        convention={"convention": convention, "signed_name": "王建国"},
    )[0]


waiting = application(1)
approved = approve(application(2), moderator)
more_info = ask_for_more(application(3), moderator, "请补充营业执照照片")
rejected = reject(application(4), moderator, "不在本社区")
resubmitted = ask_for_more(application(5), moderator, "请核对地址")
MerchantApplication.objects.filter(pk=resubmitted.pk).update(state="submitted", address="解放路 105 号（改）")

# --- A questionnaire with answers ----------------------------------------------------------------

home = HomePage.objects.get()
survey = QuestionnairePage(title="旧版问卷", slug="old-survey")
survey.form_fields = [QuestionnaireField(label="您的建议", field_type="multiline", required=True, sort_order=0)]
home.add_child(instance=survey)
survey.save_revision().publish()
question = survey.form_fields.get().clean_name  # the key Wagtail stores answers under
for answer in ("多装路灯", '=HYPERLINK("x")', "增加停车位"):
    FormSubmission.objects.create(page=survey, form_data={question: answer})

print("FILLED", waiting.pk, approved.pk, more_info.pk, rejected.pk, resubmitted.pk)
