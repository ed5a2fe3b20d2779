"""SMS backends (portal/sms.py): the log backend never writes a whole number; the Alibaba Cloud
backend signs, retries and refuses as its documented API expects."""

import json
import logging
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.sms import SMS, LogSMSBackend, SMSRefused, SMSUnavailable, aliyun_signature, send_sms

MOBILE = "13812345678"


def test_log_backend_keeps_sign_in_codes_out_of_the_log(caplog, settings):
    message = SMS(MOBILE, "【商居联盟】您的登录验证码是 482913，5 分钟内有效。", "sign_in_code", {"code": "482913"})
    with caplog.at_level(logging.INFO, logger="portal.sms"):
        LogSMSBackend().send(message)
    assert "482913" not in caplog.text and "您的登录验证码是 ••••••" in caplog.text
    # `make run` (DEBUG) prints it, so a newcomer can sign in as a demo resident.
    settings.DEBUG = True
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="portal.sms"):
        LogSMSBackend().send(message)
    assert "482913" in caplog.text


def test_log_backend_masks_the_number(caplog):
    with caplog.at_level(logging.INFO, logger="portal.sms"):
        LogSMSBackend().send(SMS(MOBILE, "您反映的问题有新进展", "case_update"))
    assert "SMS to 138****5678: 您反映的问题有新进展" in caplog.text
    assert MOBILE not in caplog.text


# --- Alibaba Cloud SMS against a local server that speaks its HTTP API ---------------------------

SECRET = "test-access-key-secret"
REQUIRED = {
    "AccessKeyId", "Action", "Format", "RegionId", "SignatureMethod", "SignatureNonce", "SignatureVersion",
    "Timestamp", "Version", "PhoneNumbers", "SignName", "TemplateCode", "TemplateParam", "Signature",
}  # fmt: skip


class FakeDysmsapi(BaseHTTPRequestHandler):
    """Dysmsapi 2017-05-25 SendSms as documented: RPC signature checked, JSON answers, its error codes.

    The number decides the answer: ...0001 an illegal number, ...0002 flow control, ...0003 one 503
    then OK, ...0004 two isp.SYSTEM_ERROR then OK, ...0005 never a well-formed answer.
    """

    calls = []
    nonces = set()

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        raw = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        type(self).calls.append(params)
        request_id = f"REQ-{len(self.calls)}"
        if missing := REQUIRED - set(params):
            return self.answer(
                400, {"Code": "MissingParameter", "Message": f"missing {sorted(missing)}", "RequestId": request_id}
            )
        signature = params.pop("Signature")
        if signature != aliyun_signature(params, SECRET):
            return self.answer(
                400,
                {
                    "Code": "SignatureDoesNotMatch",
                    "Message": "Specified signature is not matched.",
                    "RequestId": request_id,
                },
            )
        if params["SignatureNonce"] in self.nonces:
            return self.answer(400, {"Code": "SignatureNonceUsed", "Message": "nonce used", "RequestId": request_id})
        self.nonces.add(params["SignatureNonce"])
        try:
            json.loads(params["TemplateParam"])
        except ValueError:
            return self.answer(
                200, {"Code": "isv.INVALID_JSON_PARAM", "Message": "JSON参数不合法", "RequestId": request_id}
            )
        tries = sum(1 for c in self.calls if c["PhoneNumbers"] == params["PhoneNumbers"])
        number = params["PhoneNumbers"]
        if number.endswith("0001"):
            return self.answer(
                200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": request_id}
            )
        if number.endswith("0002"):
            return self.answer(
                200,
                {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1", "RequestId": request_id},
            )
        if number.endswith("0003") and tries == 1:
            return self.answer(
                503, {"Code": "ServiceUnavailable", "Message": "service unavailable", "RequestId": request_id}
            )
        if number.endswith("0004") and tries <= 2:
            return self.answer(200, {"Code": "isp.SYSTEM_ERROR", "Message": "系统错误", "RequestId": request_id})
        if number.endswith("0005"):
            return self.answer(502, {})
        return self.answer(
            200, {"Code": "OK", "Message": "OK", "BizId": f"9{len(self.calls):05d}^0", "RequestId": request_id}
        )


@pytest.fixture
def aliyun(settings):
    FakeDysmsapi.calls, FakeDysmsapi.nonces = [], set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeDysmsapi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "portal.sms.AliyunSMSBackend"
    settings.SMS_ALIYUN = {
        "ACCESS_KEY_ID": "test-access-key-id",
        "ACCESS_KEY_SECRET": SECRET,
        "SIGN_NAME": "商居联盟",
        "TEMPLATES": {"case_update": "SMS_100001", "sign_in_code": "SMS_100002"},
        "ENDPOINT": f"http://127.0.0.1:{server.server_port}/",
        "RETRIES": 2,
        "BACKOFF": 0.01,
    }
    yield FakeDysmsapi
    server.shutdown()
    server.server_close()


def test_aliyun_sends_the_template_and_its_variables_signed(aliyun):
    send_sms("13812345678", "您反映的问题有新进展", kind="case_update", params={"reference": "SJ-1", "state": "已受理"})
    [call] = aliyun.calls
    assert call["Action"] == "SendSms" and call["Version"] == "2017-05-25" and call["SignatureMethod"] == "HMAC-SHA1"
    assert call["PhoneNumbers"] == "13812345678" and call["SignName"] == "商居联盟"
    assert call["TemplateCode"] == "SMS_100001"
    assert json.loads(call["TemplateParam"]) == {"reference": "SJ-1", "state": "已受理"}


def test_aliyun_refusals_raise_with_the_providers_code_and_are_not_retried(aliyun):
    with pytest.raises(SMSRefused) as error:
        send_sms("13800000001", "x", kind="sign_in_code", params={"code": "123456"})
    assert error.value.code == "isv.MOBILE_NUMBER_ILLEGAL" and error.value.message == "非法手机号"
    with pytest.raises(SMSRefused) as error:
        send_sms("13800000002", "x", kind="sign_in_code", params={"code": "123456"})
    assert error.value.code == "isv.BUSINESS_LIMIT_CONTROL" and error.value.request_id
    assert len(aliyun.calls) == 2  # once each: flow control is not "try again"


def test_aliyun_retries_5xx_and_system_errors_with_a_fresh_nonce(aliyun):
    send_sms("13800000003", "x", kind="sign_in_code", params={"code": "123456"})
    send_sms("13800000004", "x", kind="sign_in_code", params={"code": "654321"})
    numbers = [c["PhoneNumbers"] for c in aliyun.calls]
    assert numbers == ["13800000003"] * 2 + ["13800000004"] * 3
    assert len({c["SignatureNonce"] for c in aliyun.calls}) == 5  # a replayed nonce would be refused


def test_aliyun_that_never_answers_properly_is_unavailable_after_the_retries(aliyun):
    with pytest.raises(SMSUnavailable):
        send_sms("13800000005", "x", kind="sign_in_code", params={"code": "123456"})
    assert len(aliyun.calls) == 3


def test_aliyun_unreachable_is_unavailable(aliyun, settings):
    settings.SMS_ALIYUN = {**settings.SMS_ALIYUN, "ENDPOINT": "http://127.0.0.1:9/", "TIMEOUT": 1}
    with pytest.raises(SMSUnavailable, match="unreachable"):
        send_sms("13812345678", "x", kind="sign_in_code", params={"code": "123456"})


def test_aliyun_wrong_secret_is_refused_by_the_signature_check(aliyun, settings):
    settings.SMS_ALIYUN = {**settings.SMS_ALIYUN, "ACCESS_KEY_SECRET": "not-the-secret"}
    with pytest.raises(SMSRefused) as error:
        send_sms("13812345678", "x", kind="case_update", params={"reference": "SJ-1", "state": "已受理"})
    assert error.value.code == "SignatureDoesNotMatch"


def test_aliyun_without_a_template_for_the_kind_says_so_before_calling(aliyun):
    with pytest.raises(SMSRefused, match="no Aliyun template"):
        send_sms("13812345678", "x", kind="application_update", params={})
    assert aliyun.calls == []


def test_aliyun_without_credentials_is_a_configuration_error(settings):
    settings.SMS_BACKEND = "portal.sms.AliyunSMSBackend"
    settings.SMS_ALIYUN = {"ACCESS_KEY_ID": "id"}
    with pytest.raises(ImproperlyConfigured, match="ACCESS_KEY_SECRET, SIGN_NAME"):
        send_sms("13812345678", "x", kind="case_update")


def test_signature_matches_the_documented_example():
    """The worked example of Alibaba Cloud's RPC signature documentation (secret testsecret)."""
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert aliyun_signature(params, "testsecret", method="GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
