"""Fault injection for crash tests of the final wizard step (tests/faults/).

`checkpoint(name)`, called at each point in casework/submission.py, ends the process at once, as a
killed worker would (no cleanup, no response, no commit), when settings.INTAKE_FAULT_INJECTION
is true and the environment variable SHANGJU_KILL_AT names this point. The setting is off in
every shipped settings module; tests turn it on in a settings module of their own.

The points, in the order the final step passes them:
  before_insert  nothing written yet
  after_insert   the report row inserted, not committed
  after_photos   a photo file written to private storage and its row inserted, not committed
  before_commit  everything written, the transaction not yet committed
"""

import os

from django.conf import settings

POINTS = ("before_insert", "after_insert", "after_photos", "before_commit")
ENV = "SHANGJU_KILL_AT"


def checkpoint(name):
    if getattr(settings, "INTAKE_FAULT_INJECTION", False) and os.environ.get(ENV) == name:
        os._exit(137)  # like SIGKILL: no finally blocks, no atexit, no rollback by us
