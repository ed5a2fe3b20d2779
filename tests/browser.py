"""Playwright's sync API driving Debian's Chromium (Playwright's own browser download does not
work here). The fixtures built on this are in tests/conftest.py."""

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("SHANGJU_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
