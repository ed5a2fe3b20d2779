"""Case notifications: staff emails for new and overdue cases, reporter emails and SMS on public updates."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.test import override_settings

from casework.models import CaseCategory, GrievanceReport
from casework.notifications import notify_overdue, send_case_update, send_transfer_emails
from casework.submission import submit_report
from casework.transitions import perform, rate
from tests import factories as f
from tests import wizard_driver as driver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_must_succeed")]
MOBILE = "13812345678"


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


def everything_sent(sms_outbox):
    texts = [m.subject + m.body for m in mail.outbox] + [message.text for message in sms_outbox]
    return "\n".join(texts)


def test_new_report_emails_moderators_and_workers_once(sms_outbox, notified_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report, _secret = submit(notified_staff)
    assert sent_to() == ["both@example.org", "moderator@example.org", "worker@example.org"]
    message = mail.outbox[0]
    assert report.reference in message.subject and "油烟扰民" in message.subject
    assert report.reference in message.body and "东门社区" in message.body and "第一网格" in message.body
    assert "http://testserver/admin/" in message.body
    assert sms_outbox == []  # staff get email; the reporter gets nothing for their own report


def test_staff_emails_carry_no_personal_data_of_the_reporter(
    sms_outbox, notified_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(notified_staff)
    text = everything_sent(sms_outbox)
    assert MOBILE not in text and "5678" not in text
    assert "王秀兰" not in text and "wang@example.com" not in text and "排烟管" not in text


def test_repeated_submission_does_not_email_again(notified_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(notified_staff, key="same")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit(notified_staff, key="same")
    assert callbacks == [] and len(mail.outbox) == 3


def test_wizard_submission_notifies_staff(client, notified_staff, django_capture_on_commit_callbacks):
    key = driver.key_of(client)
    category = CaseCategory.objects.get(slug="cooking_fumes")
    with django_capture_on_commit_callbacks(execute=True):
        response = driver.walk_report(client, notified_staff, key, category=category, photo=False)
    assert response.status_code == 302
    report = GrievanceReport.objects.get()
    assert len(mail.outbox) == 3 and all(report.reference in m.subject for m in mail.outbox)


def test_public_event_emails_and_texts_the_reporter(sms_outbox, notified_staff, django_capture_on_commit_callbacks):
    report, _secret = submit(notified_staff)
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "accept", None, note="已受理，网格员今天下午上门查看")
    assert sent_to() == ["wang@example.com"]
    message = mail.outbox[0]
    assert report.reference in message.subject
    assert "已受理" in message.body and "网格员今天下午上门查看" in message.body
    assert "http://testserver/track/" in message.body
    assert len(sms_outbox) == 1
    mobile, text = sms_outbox[0].mobile, sms_outbox[0].text
    assert sms_outbox[0].kind == "case_update" and sms_outbox[0].params["reference"] == report.reference
    assert mobile == MOBILE and report.reference in text and "已受理" in text
    assert MOBILE not in message.body and MOBILE not in text  # the number is the address, not the content


def test_internal_note_notifies_nobody(sms_outbox, notified_staff, django_capture_on_commit_callbacks):
    report, _secret = submit(notified_staff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        perform(report, "accept", None, note="先电话核实一下", public=False)
    assert callbacks == [] and mail.outbox == [] and sms_outbox == []


def test_follow_up_is_internal_by_default(sms_outbox, notified_staff, django_capture_on_commit_callbacks):
    report, _secret = submit(notified_staff)
    GrievanceReport.objects.filter(pk=report.pk).update(state=GrievanceReport.State.RESOLVED)
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "follow_up", None, note="电话回访，居民表示油烟已明显减少")
    assert mail.outbox == [] and sms_outbox == []


def test_rolled_back_transaction_sends_nothing(sms_outbox, notified_staff, django_capture_on_commit_callbacks):
    report, _secret = submit(notified_staff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                perform(report, "accept", None, note="已受理")
                submit(notified_staff, key="rolled-back")
                raise RuntimeError("something later in the same transaction failed")
    assert callbacks == [] and mail.outbox == [] and sms_outbox == []
    assert GrievanceReport.objects.get(pk=report.pk).state == GrievanceReport.State.SUBMITTED


def test_anonymous_reports_never_get_sms_or_email(sms_outbox, notified_staff, django_capture_on_commit_callbacks):
    report, _secret = submit(notified_staff, anonymous=True, consent=True)
    # Even if a number slipped into an anonymous report, it is not used.
    GrievanceReport.objects.filter(pk=report.pk).update(reporter_mobile=MOBILE, reporter_email="a@example.com")
    report.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "accept", None, note="已受理")
    assert sms_outbox == [] and mail.outbox == []


def test_task_skips_reporter_whose_contact_became_anonymous_before_it_ran(
    sms_outbox, notified_staff, django_capture_on_commit_callbacks
):
    report, _secret = submit(notified_staff)
    _report, event = perform(report, "accept", None, note="已受理")
    GrievanceReport.objects.filter(pk=report.pk).update(anonymous=True)
    send_case_update.call(event.pk)  # the worker loads fresh data
    assert sms_outbox == [] and mail.outbox == []


def test_reporter_without_email_gets_only_sms(sms_outbox, notified_staff, django_capture_on_commit_callbacks):
    report, _secret = submit(notified_staff, name="李四", mobile="13900001111", consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "accept", None, note="已受理")
    assert mail.outbox == [] and [message.mobile for message in sms_outbox] == ["13900001111"]


def test_overdue_emails_the_moderators_only(sms_outbox, notified_staff, django_capture_on_commit_callbacks):
    report, _secret = submit(notified_staff)
    with django_capture_on_commit_callbacks(execute=True):
        notify_overdue(report)
    assert sent_to() == ["both@example.org", "moderator@example.org"]
    assert "超期" in mail.outbox[0].subject and report.reference in mail.outbox[0].body
    assert MOBILE not in everything_sent(sms_outbox)


@override_settings(STAFF_NOTIFICATION_FROM_EMAIL="office@example.org")
def test_staff_emails_come_from_the_office_address(notified_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(notified_staff)
    assert {m.from_email for m in mail.outbox} == {"office@example.org"}


@override_settings(SMS_BACKEND="portal.sms.LogSMSBackend")
def test_default_backend_logs_case_updates_masked(
    sms_outbox, notified_staff, caplog, django_capture_on_commit_callbacks
):
    report, _secret = submit(notified_staff)
    with caplog.at_level(logging.INFO):
        with django_capture_on_commit_callbacks(execute=True):
            perform(report, "accept", None, note="已受理")
    assert "138****5678" in caplog.text and report.reference in caplog.text
    assert MOBILE not in caplog.text and sms_outbox == []


def test_unsatisfied_rating_tells_the_reporter_the_case_is_redone(
    sms_outbox, notified_staff, django_capture_on_commit_callbacks
):
    report, _secret = submit(notified_staff)
    GrievanceReport.objects.filter(pk=report.pk).update(
        state=GrievanceReport.State.RESOLVED, assignee=notified_staff["worker"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        rate(report, GrievanceReport.Rating.UNSATISFIED, "油烟还是很大")
    # One update (the reopening); the reporter is not mailed about the rating they just gave.
    assert "重办" in mail_to("wang@example.com").body
    # The worker the case goes back to hears it is to be redone.
    assert (
        sent_to() == ["wang@example.com", "worker@example.org"] and "【重办】" in mail_to("worker@example.org").subject
    )
    assert len(sms_outbox) == 1


def test_a_queue_that_refuses_the_task_does_not_fail_the_submission(
    notified_staff, caplog, django_capture_on_commit_callbacks
):
    # A backend without the default queue refuses every enqueue, as a broken queue would.
    broken = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["elsewhere"]}}
    with override_settings(TASKS=broken), django_capture_on_commit_callbacks(execute=True):
        report, secret = submit(notified_staff)
    assert secret and GrievanceReport.objects.filter(pk=report.pk).exists()
    assert mail.outbox == [] and "on_commit" in caplog.text.lower()


# --- Each mail asks its reader only for what the transition table lets them do -----------------


def mail_to(address):
    return next(message for message in mail.outbox if message.to == [address])


def test_the_new_case_mail_asks_moderators_to_accept_and_tells_workers_what_comes(
    notified_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report, _secret = submit(notified_staff)
    for moderator in ("moderator@example.org", "both@example.org"):  # both: moderates and works the grid
        message = mail_to(moderator)
        assert "请在受理期限前受理" in message.body and "派单给网格员" in message.body
        assert "待受理" in message.subject
    worker = mail_to("worker@example.org")
    assert report.reference in worker.subject and "本网格" in worker.subject
    # A grid worker cannot accept (受理 is the moderator's): the mail says what happens instead.
    assert "请在受理期限前受理" not in worker.body and "受理期限" not in worker.body
    assert "受理后会派单给网格员" in worker.body and "派给您时，您会另外收到邮件" in worker.body
    assert "http://testserver/admin/cases/" in worker.body


def test_the_worker_a_case_is_dispatched_to_is_told_to_start(notified_staff, django_capture_on_commit_callbacks):
    report, _secret = submit(notified_staff)
    worker = notified_staff["worker"]
    worker.first_name, worker.last_name = "志刚", "马"
    worker.save()
    perform(report, "accept", None)
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "dispatch", None, assignee=worker, note="请今晚上门")
    assert sent_to() == ["worker@example.org"]
    message = mail.outbox[0]
    assert "【派单】" in message.subject and report.reference in message.subject
    assert message.body.startswith("马志刚，您好：")
    assert "已派单给您" in message.body and "请尽快开始办理" in message.body
    assert "http://testserver/admin/cases/" in message.body
    assert "王秀兰" not in message.body and MOBILE not in message.body


def test_a_reopened_case_tells_its_worker_to_redo_it(notified_staff, django_capture_on_commit_callbacks):
    report, _secret = submit(notified_staff)
    GrievanceReport.objects.filter(pk=report.pk).update(
        state=GrievanceReport.State.RESOLVED, assignee=notified_staff["worker"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "reopen", None, note="居民反映油烟仍然很大")
    message = mail_to("worker@example.org")
    assert "【重办】" in message.subject and "需要重办，仍由您承办" in message.body


def test_overdue_mails_ask_for_what_is_late(notified_staff, django_capture_on_commit_callbacks):
    report, _secret = submit(notified_staff)
    with django_capture_on_commit_callbacks(execute=True):
        notify_overdue(report)
    assert "已超过受理期限，仍未受理" in mail.outbox[0].body and "请尽快受理" in mail.outbox[0].body
    mail.outbox.clear()
    GrievanceReport.objects.filter(pk=report.pk).update(
        state=GrievanceReport.State.IN_PROGRESS, assignee=notified_staff["worker"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify_overdue(report)
    body = mail.outbox[0].body
    assert "已超过办结期限，仍未办结" in body and "请督促承办网格员办理" in body and "请尽快受理" not in body


def test_the_reporter_is_invited_to_rate_only_once_there_is_a_result(
    sms_outbox, notified_staff, django_capture_on_commit_callbacks
):
    report, _secret = submit(notified_staff)
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "accept", None, note="已受理")
    assert "评价" not in mail.outbox[0].body and "评价" not in sms_outbox[0].text
    GrievanceReport.objects.filter(pk=report.pk).update(
        state=GrievanceReport.State.IN_PROGRESS, assignee=notified_staff["worker"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "resolve", None, note="店主已加装油烟净化器")
    assert "查看详情和评价" in mail.outbox[-1].body and "详情和评价" in sms_outbox[-1].text


def test_a_transfer_tells_the_new_grid_and_its_moderators_not_the_old_grid(
    notified_staff, django_capture_on_commit_callbacks
):
    """转办: the new grid's workers expect the case, the new community's moderators dispatch it;
    the old grid's worker and the moderator who transferred it are not mailed."""
    report, _secret = submit(notified_staff)
    old_worker = notified_staff["worker"]
    GrievanceReport.objects.filter(pk=report.pk).update(state=GrievanceReport.State.DISPATCHED, assignee=old_worker)
    users = get_user_model().objects
    xiguan = f.community(name="西关社区")
    new_grid = f.grid(xiguan, name="西关第二网格")
    new_worker = users.create_user("xiguan_worker", email="xiguan.worker@example.org")
    new_grid.workers.add(new_worker)
    transferring = users.create_user(
        "dongmen_secretary", email="secretary@example.org", first_name="建华", last_name="周"
    )
    notified_staff["community"].moderators.add(transferring)
    xiguan_moderator = users.create_user("xiguan_secretary", email="xiguan.mod@example.org")
    xiguan.moderators.add(xiguan_moderator, transferring)
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "transfer", transferring, note="地址在西关路，属西关第二网格", grid=new_grid)
    assert sent_to() == ["xiguan.mod@example.org", "xiguan.worker@example.org"]
    to_grid = mail_to("xiguan.worker@example.org")
    assert "【转办到本网格】" in to_grid.subject and report.reference in to_grid.subject
    assert "已转办到您负责的西关社区 · 西关第二网格" in to_grid.body and "派给您时，您会另外收到邮件" in to_grid.body
    to_moderator = mail_to("xiguan.mod@example.org")
    assert "【转办待派单】" in to_moderator.subject and "请派单给该网格的网格员" in to_moderator.body
    assert "转办人：周建华" in to_moderator.body and "http://testserver/admin/cases/" in to_moderator.body
    for message in mail.outbox:  # staff mail: no reporter's data, and the note stays in the admin
        assert "王秀兰" not in message.body and MOBILE not in message.body and "西关路" not in message.body


def test_a_return_tells_the_communitys_moderators_to_dispatch_again(notified_staff, django_capture_on_commit_callbacks):
    report, _secret = submit(notified_staff)
    worker = notified_staff["worker"]
    worker.first_name, worker.last_name = "志刚", "马"
    worker.save()
    GrievanceReport.objects.filter(pk=report.pk).update(state=GrievanceReport.State.DISPATCHED, assignee=worker)
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "return", worker, role="worker", note="不在本网格范围")
    # The community's moderators with an address (both@ is a moderator too); not the worker who returned it.
    assert sent_to() == ["both@example.org", "moderator@example.org"]
    message = mail_to("moderator@example.org")
    assert "【退单】" in message.subject and report.reference in message.subject
    assert "被网格员退单" in message.body and "请重新派单，或转办到应办的网格" in message.body
    assert "退单网格员：马志刚" in message.body and "不在本网格范围" not in message.body


def test_a_transfer_mail_is_not_sent_once_the_case_has_moved_on(notified_staff, django_capture_on_commit_callbacks):
    report, _secret = submit(notified_staff)
    GrievanceReport.objects.filter(pk=report.pk).update(state=GrievanceReport.State.ACCEPTED)
    new_grid = f.grid(notified_staff["community"], name="第二网格")
    with django_capture_on_commit_callbacks(execute=False):
        _report, event = perform(report, "transfer", None, note="属第二网格", grid=new_grid)
    GrievanceReport.objects.filter(pk=report.pk).update(state=GrievanceReport.State.DISPATCHED)
    assert send_transfer_emails.call(event.pk) == 0 and mail.outbox == []
