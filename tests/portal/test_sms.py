"""SMS backends (portal/sms.py): the log backend, the default, never writes a whole number."""

import logging

from portal.sms import LogSMSBackend

MOBILE = "13812345678"


def test_log_backend_masks_the_number(caplog):
    with caplog.at_level(logging.INFO, logger="portal.sms"):
        LogSMSBackend().send(MOBILE, "您反映的问题有新进展")
    assert "SMS to 138****5678: 您反映的问题有新进展" in caplog.text
    assert MOBILE not in caplog.text
