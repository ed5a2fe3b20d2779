import pytest


@pytest.fixture(autouse=True)
def _quick_sign_in(settings, sms_outbox):
    """No back-off between attempts unless a test asks for it; every SMS lands in the outbox."""
    settings.SIGN_IN_THROTTLE_FACTOR = 0
    settings.SIGN_IN_CODE_COOLDOWN = 60
    return sms_outbox
