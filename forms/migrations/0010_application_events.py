"""Merchant applications get a history (ApplicationEvent), filled from what each application held.

Until now an application kept only its last decision (reviewer, reviewed_at, review_note), so the
history written here is what can be known from those fields, and nothing is lost:

- every application was submitted, at its created_at;
- an application decided (approved, rejected, waiting for more information) gets that decision,
  by its reviewer, at reviewed_at, with the review note for 补充材料 / 不通过;
- an application back in review with a reviewer set had been sent back and was resubmitted: it
  gets the request for more information and the resubmission (at its last update).

intake/0011 then drops reviewer and reviewed_at, which the events now hold.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

STATES = [("submitted", "待审核"), ("more_info", "待补充材料"), ("approved", "已通过"), ("rejected", "未通过")]
DECISIONS = {"approved": "approve", "more_info": "more_info", "rejected": "reject"}
NOTED = {"more_info", "rejected"}


def backfill(apps, schema_editor):
    MerchantApplication = apps.get_model("intake", "MerchantApplication")
    ApplicationEvent = apps.get_model("intake", "ApplicationEvent")
    events = []
    for application in MerchantApplication.objects.order_by("pk").iterator():
        events.append(
            ApplicationEvent(
                application=application,
                action="submit",
                from_state="",
                to_state="submitted",
                created_at=application.created_at,
            )
        )
        decided_at = application.reviewed_at or application.updated_at
        if application.state in DECISIONS:
            events.append(
                ApplicationEvent(
                    application=application,
                    action=DECISIONS[application.state],
                    from_state="submitted",
                    to_state=application.state,
                    actor_id=application.reviewer_id,
                    note=application.review_note if application.state in NOTED else "",
                    created_at=decided_at,
                )
            )
        elif application.reviewer_id or application.reviewed_at:
            events.append(
                ApplicationEvent(
                    application=application,
                    action="more_info",
                    from_state="submitted",
                    to_state="more_info",
                    actor_id=application.reviewer_id,
                    note=application.review_note,
                    created_at=decided_at,
                )
            )
            events.append(
                ApplicationEvent(
                    application=application,
                    action="resubmit",
                    from_state="more_info",
                    to_state="submitted",
                    created_at=max(application.updated_at, decided_at),
                )
            )
    ApplicationEvent.objects.bulk_create(events, batch_size=1000)


def restore(apps, schema_editor):
    """Back to one decision per application: its last reviewer and time (0011 reversed re-adds them)."""
    MerchantApplication = apps.get_model("intake", "MerchantApplication")
    ApplicationEvent = apps.get_model("intake", "ApplicationEvent")
    decisions = ApplicationEvent.objects.filter(action__in=["approve", "more_info", "reject"])
    for event in decisions.order_by("application_id", "created_at", "pk").iterator():
        MerchantApplication.objects.filter(pk=event.application_id).update(
            reviewer_id=event.actor_id, reviewed_at=event.created_at
        )
    ApplicationEvent.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0009_move_cases_to_casework"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApplicationEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("submit", "提交申请"),
                            ("approve", "通过"),
                            ("more_info", "请补充材料"),
                            ("reject", "不通过"),
                            ("resubmit", "补充后重新提交"),
                        ],
                        max_length=20,
                        verbose_name="操作",
                    ),
                ),
                ("from_state", models.CharField(blank=True, choices=STATES, max_length=12, verbose_name="原状态")),
                ("to_state", models.CharField(choices=STATES, max_length=12, verbose_name="新状态")),
                ("note", models.TextField(blank=True, max_length=2000, verbose_name="说明")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="application_events",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="操作人",
                    ),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="intake.merchantapplication",
                    ),
                ),
            ],
            options={"verbose_name": "审核记录", "verbose_name_plural": "审核记录", "ordering": ["created_at", "pk"]},
        ),
        migrations.RunPython(backfill, restore),
    ]
