"""Notifications: staff emails for new and overdue cases, reporter emails and SMS on public updates."""

import itertools
import logging

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished

from forms import sms
from forms.casework import perform, rate
from forms.models import CaseCategory, GrievanceReport
from forms.notifications import notify_overdue
from forms.reporting import submit_report
from forms.sms import LogSMSBackend
from tests import factories as f

pytestmark = pytest.mark.django_db
MOBILE = "13812345678"
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _tasks_must_succeed():
    """The immediate backend records a task's exception instead of raising it; surface it here."""
    failed = []

    def check(sender, task_result, **kwargs):
        if task_result.status == TaskResultStatus.FAILED:
            failed.append(task_result.errors[-1].traceback)

    task_finished.connect(check)
    yield
    task_finished.disconnect(check)
    assert not failed, failed


@pytest.fixture
def staff():
    users = get_user_model().objects
    community = f.community(name="东门社区")
    grid = f.grid(community, name="第一网格")
    moderator = users.create_user(f"mod{next(_n)}", email="moderator@example.org")
    worker = users.create_user(f"worker{next(_n)}", email="worker@example.org")
    both = users.create_user(f"both{next(_n)}", email="both@example.org")
    no_email = users.create_user(f"noemail{next(_n)}", email="")
    retired = users.create_user(f"retired{next(_n)}", email="retired@example.org", is_active=False)
    outsider = users.create_user(f"outsider{next(_n)}", email="outsider@example.org")
    community.moderators.add(moderator, both, no_email, retired)
    grid.workers.add(worker, both)
    f.grid(f.community(), name="别的网格").workers.add(outsider)
    return {"community": community, "grid": grid, "worker": worker}


def submit(staff, key="k1", **contact):
    contact = contact or {"name": "王秀兰", "mobile": MOBILE, "email": "wang@example.com", "consent": True}
    return submit_report(
        key,
        category=CaseCategory.objects.get(slug="cooking_fumes"),
        grid=staff["grid"],
        address="解放路 18 号",
        description="饭店排烟管正对居民窗户",
        contact=contact,
    )


def sent_to():
    return sorted(address for message in mail.outbox for address in message.to)


def everything_sent():
    texts = [m.subject + m.body for m in mail.outbox] + [text for _mobile, text in sms.outbox]
    return "\n".join(texts)


def test_new_report_emails_moderators_and_workers_once(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report, _secret = submit(staff)
    assert sent_to() == ["both@example.org", "moderator@example.org", "worker@example.org"]
    message = mail.outbox[0]
    assert report.reference in message.subject and "油烟扰民" in message.subject
    assert report.reference in message.body and "东门社区" in message.body and "第一网格" in message.body
    assert "http://testserver/admin/" in message.body
    assert sms.outbox == []  # staff get email; the reporter gets nothing for their own report


def test_staff_emails_carry_no_personal_data_of_the_reporter(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(staff)
    text = everything_sent()
    assert MOBILE not in text and "5678" not in text
    assert "王秀兰" not in text and "wang@example.com" not in text and "排烟管" not in text


def test_repeated_submission_does_not_email_again(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(staff, key="same")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit(staff, key="same")
    assert callbacks == [] and len(mail.outbox) == 3


def test_wizard_submission_notifies_staff(client, staff, django_capture_on_commit_callbacks):
    from tests.forms.test_report_wizard import key_of, walk

    key = key_of(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = walk(client, staff, key, photo=False)
    assert response.status_code == 302
    report = GrievanceReport.objects.get()
    assert len(mail.outbox) == 3 and all(report.reference in m.subject for m in mail.outbox)


def test_public_event_emails_and_texts_the_reporter(staff, django_capture_on_commit_callbacks):
    report, _secret = submit(staff)
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "accept", None, note="已受理，网格员今天下午上门查看")
    assert sent_to() == ["wang@example.com"]
    message = mail.outbox[0]
    assert report.reference in message.subject
    assert "已受理" in message.body and "网格员今天下午上门查看" in message.body
    assert "http://testserver/track/" in message.body
    assert len(sms.outbox) == 1
    mobile, text = sms.outbox[0]
    assert mobile == MOBILE and report.reference in text and "已受理" in text
    assert MOBILE not in message.body and MOBILE not in text  # the number is the address, not the content


def test_internal_note_notifies_nobody(staff, django_capture_on_commit_callbacks):
    report, _secret = submit(staff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        perform(report, "accept", None, note="先电话核实一下", public=False)
    assert callbacks == [] and mail.outbox == [] and sms.outbox == []


def test_follow_up_is_internal_by_default(staff, django_capture_on_commit_callbacks):
    report, _secret = submit(staff)
    GrievanceReport.objects.filter(pk=report.pk).update(state=GrievanceReport.State.RESOLVED)
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "follow_up", None, note="电话回访，居民表示油烟已明显减少")
    assert mail.outbox == [] and sms.outbox == []


def test_rolled_back_transaction_sends_nothing(staff, django_capture_on_commit_callbacks):
    report, _secret = submit(staff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                perform(report, "accept", None, note="已受理")
                submit(staff, key="rolled-back")
                raise RuntimeError("something later in the same transaction failed")
    assert callbacks == [] and mail.outbox == [] and sms.outbox == []
    assert GrievanceReport.objects.get(pk=report.pk).state == GrievanceReport.State.SUBMITTED


def test_anonymous_reports_never_get_sms_or_email(staff, django_capture_on_commit_callbacks):
    report, _secret = submit(staff, anonymous=True, consent=True)
    # Even if a number slipped into an anonymous report, it is not used.
    GrievanceReport.objects.filter(pk=report.pk).update(reporter_mobile=MOBILE, reporter_email="a@example.com")
    report.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "accept", None, note="已受理")
    assert sms.outbox == [] and mail.outbox == []


def test_task_skips_reporter_whose_contact_became_anonymous_before_it_ran(staff, django_capture_on_commit_callbacks):
    from forms.notifications import send_case_update

    report, _secret = submit(staff)
    _report, event = perform(report, "accept", None, note="已受理")
    GrievanceReport.objects.filter(pk=report.pk).update(anonymous=True)
    send_case_update.call(event.pk)  # the worker loads fresh data
    assert sms.outbox == [] and mail.outbox == []


def test_reporter_without_email_gets_only_sms(staff, django_capture_on_commit_callbacks):
    report, _secret = submit(staff, name="李四", mobile="13900001111", consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "accept", None, note="已受理")
    assert mail.outbox == [] and [m for m, _t in sms.outbox] == ["13900001111"]


def test_overdue_emails_the_moderators_only(staff, django_capture_on_commit_callbacks):
    report, _secret = submit(staff)
    with django_capture_on_commit_callbacks(execute=True):
        notify_overdue(report)
    assert sent_to() == ["both@example.org", "moderator@example.org"]
    assert "超期" in mail.outbox[0].subject and report.reference in mail.outbox[0].body
    assert MOBILE not in everything_sent()


@override_settings(STAFF_NOTIFICATION_FROM_EMAIL="office@example.org")
def test_staff_emails_come_from_the_office_address(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(staff)
    assert {m.from_email for m in mail.outbox} == {"office@example.org"}


def test_log_backend_masks_the_number(caplog):
    with caplog.at_level(logging.INFO, logger="forms.sms"):
        LogSMSBackend().send(MOBILE, "您反映的问题有新进展")
    assert "SMS to 138****5678: 您反映的问题有新进展" in caplog.text
    assert MOBILE not in caplog.text


@override_settings(SMS_BACKEND="forms.sms.LogSMSBackend")
def test_default_backend_logs_case_updates_masked(staff, caplog, django_capture_on_commit_callbacks):
    report, _secret = submit(staff)
    with caplog.at_level(logging.INFO):
        with django_capture_on_commit_callbacks(execute=True):
            perform(report, "accept", None, note="已受理")
    assert "138****5678" in caplog.text and report.reference in caplog.text
    assert MOBILE not in caplog.text and sms.outbox == []


def test_unsatisfied_rating_tells_the_reporter_the_case_is_redone(staff, django_capture_on_commit_callbacks):
    report, _secret = submit(staff)
    GrievanceReport.objects.filter(pk=report.pk).update(state=GrievanceReport.State.RESOLVED, assignee=staff["worker"])
    with django_capture_on_commit_callbacks(execute=True):
        rate(report, GrievanceReport.Rating.UNSATISFIED, "油烟还是很大")
    # One update (the reopening); the reporter is not mailed about the rating they just gave.
    assert sent_to() == ["wang@example.com"] and "重办" in mail.outbox[0].body
    assert len(sms.outbox) == 1


# --- merchant applications ----------------------------------------------------------------------


def test_new_application_emails_the_moderators(staff, django_capture_on_commit_callbacks):
    from forms.notifications import notify_new_application

    application = f.application(grid_=staff["grid"], email="shop@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notify_new_application(application)
    assert sent_to() == ["both@example.org", "moderator@example.org"]
    message = mail.outbox[0]
    assert application.reference in message.subject and application.shop_name in message.body
    assert "http://testserver/admin/" in message.body
    assert application.mobile not in everything_sent() and "李建国" not in everything_sent()


@pytest.mark.parametrize(
    "state,note,expected",
    [
        ("more_info", "请补充营业执照照片", "请补充营业执照照片"),
        ("approved", "", "欢迎加入"),
        ("rejected", "不在本社区", "不在本社区"),
    ],
)
def test_applicant_hears_the_review_outcome(staff, django_capture_on_commit_callbacks, state, note, expected):
    from forms.notifications import notify_application_update

    application = f.application(grid_=staff["grid"], email="shop@example.com", state=state, review_note=note)
    with django_capture_on_commit_callbacks(execute=True):
        notify_application_update(application)
    assert sent_to() == ["shop@example.com"] and expected in mail.outbox[0].body
    assert application.reference in mail.outbox[0].subject
    assert [mobile for mobile, _text in sms.outbox] == [application.mobile]


def test_application_update_in_rolled_back_transaction_sends_nothing(staff, django_capture_on_commit_callbacks):
    from forms.notifications import notify_application_update

    application = f.application(grid_=staff["grid"], email="shop@example.com", state="approved")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notify_application_update(application)
                raise RuntimeError("the review failed")
    assert callbacks == [] and mail.outbox == [] and sms.outbox == []


def test_a_queue_that_refuses_the_task_does_not_fail_the_submission(staff, caplog, django_capture_on_commit_callbacks):
    # A backend without the default queue refuses every enqueue, as a broken queue would.
    broken = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["elsewhere"]}}
    with override_settings(TASKS=broken), django_capture_on_commit_callbacks(execute=True):
        report, secret = submit(staff)
    assert secret and GrievanceReport.objects.filter(pk=report.pk).exists()
    assert mail.outbox == [] and "on_commit" in caplog.text.lower()
