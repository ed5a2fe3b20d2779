"""gunicorn hooks for the fault tests' servers.

When SHANGJU_KILL_AT_FILE names a file, each request copies the kill point written there into
SHANGJU_KILL_AT (portal/faults.py reads it), so one server can be armed and disarmed between
requests without a restart. An empty or missing file disarms it.
"""

import os


def pre_request(worker, req):
    path = os.environ.get("SHANGJU_KILL_AT_FILE")
    if not path:
        return
    try:
        with open(path) as handle:
            point = handle.read().strip()
    except OSError:
        point = ""
    if point:
        os.environ["SHANGJU_KILL_AT"] = point
    else:
        os.environ.pop("SHANGJU_KILL_AT", None)
