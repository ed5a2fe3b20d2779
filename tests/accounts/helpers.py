"""Signing in through the real pages, as a phone would."""

import re

from portal import sms

CODE = re.compile(r"验证码是 (\d{6})")


def last_code(mobile):
    """The code of the last sign-in SMS to `mobile`."""
    message = next(m for m in reversed(sms.outbox) if m.mobile == mobile and m.kind == "sign_in_code")
    assert message.params["code"] == CODE.search(message.text).group(1)
    return message.params["code"]


def request_code(client, mobile):
    return client.post("/my/sign-in/", {"mobile": mobile})


def sign_in(client, mobile, next_url=None):
    if next_url:
        client.get("/my/sign-in/", {"next": next_url})
    response = request_code(client, mobile)
    assert response.status_code == 302, response.content.decode()[:500]
    return client.post("/my/sign-in/code/", {"code": last_code(mobile)})
