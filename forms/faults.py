"""Fault injection for crash tests of the final wizard step (tests/faults/).

`checkpoint(name)` ends the process at once, as a killed worker would (no cleanup, no
response, no commit), when settings.INTAKE_FAULT_INJECTION is true and the environment
variable SHANGJU_KILL_AT names this point. The setting is off in every shipped settings
module; tests turn it on in a settings module of their own.

The points, in the order the final step passes them:
  before_insert  nothing written yet
  after_insert   the report row inserted, not committed
  after_photos   a photo file written to private storage and its row inserted, not committed
  before_commit  everything written, the transaction not yet committed
"""

import os

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

POINTS = ("before_insert", "after_insert", "after_photos", "before_commit")
ENV = "SHANGJU_KILL_AT"


def checkpoint(name):
    if getattr(settings, "INTAKE_FAULT_INJECTION", False) and os.environ.get(ENV) == name:
        os._exit(137)  # like SIGKILL: no finally blocks, no atexit, no rollback by us


# The inserts happen inside forms.reporting.submit_report; signals reach into it without
# threading test hooks through its code. Both receivers return at once unless a test armed them.
@receiver(post_save, sender="intake.GrievanceReport", dispatch_uid="faults_after_insert")
def _after_report_insert(sender, instance, created, **kwargs):
    if created:
        checkpoint("after_insert")


@receiver(post_save, sender="intake.CasePhoto", dispatch_uid="faults_after_photos")
def _after_photo_insert(sender, instance, created, **kwargs):
    # FileField saves the file before the row, so here both exist, uncommitted.
    if created:
        checkpoint("after_photos")
