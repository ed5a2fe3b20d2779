"""Text messages: settings.SMS_BACKEND names the class that sends them.

Every message has a `kind` (case_update, application_update, sign_in_code...), the `params` its
template needs, and the `text` we rendered ourselves. The embedded default writes the text to the
log with the number masked (nothing personal in logs). A real gateway sends the kind and params:
mainland providers send only templates their review approved, so settings map each kind to the
provider's template code.

- LogSMSBackend: the default; logs (sign-in codes blanked unless DEBUG).
- LocMemSMSBackend: keeps messages in `outbox`, for tests.
- AliyunSMSBackend: Alibaba Cloud SMS (Dysmsapi 2017-05-25, SendSms) through its documented HTTP
  API with the RPC signature (HMAC-SHA1), retried on network errors, 5xx and the provider's
  "try again" codes, and raising SMSRefused, with the provider's code and message, when it refuses.
"""

import abc
import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .privacy import mask_mobile

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "portal.sms.LogSMSBackend"


@dataclass(frozen=True)
class SMS:
    mobile: str
    text: str
    kind: str = ""
    params: dict = field(default_factory=dict)


# Messages "sent" by LocMemSMSBackend, like django.core.mail.outbox; tests only.
outbox = []


class SMSError(Exception):
    """The message could not be sent; `code` and `message` are the provider's when it answered."""

    def __init__(self, message, code="", request_id=""):
        super().__init__(f"{code}: {message}" if code else message)
        self.code, self.message, self.request_id = code, message, request_id


class SMSRefused(SMSError):
    """The provider answered and refused the message (wrong number, flow control, template...)."""


class SMSUnavailable(SMSError):
    """The provider did not answer usefully, even after the retries."""


class BaseSMSBackend(abc.ABC):
    @abc.abstractmethod
    def send(self, message):
        """Send one SMS; raise SMSError when it cannot be sent."""


# Parameters that are credentials (a sign-in code): never written to a log outside DEBUG.
SECRET_PARAMS = frozenset({"code"})


class LogSMSBackend(BaseSMSBackend):
    """Writes the message to the log instead of sending it; the number is masked.

    With DEBUG on (`make run`) the text is logged as it is, so a newcomer can sign in as a demo
    resident with the code from the console. Anywhere else, where the log is kept and read by
    others, the values of SECRET_PARAMS are blanked out of the text.
    """

    def send(self, message):
        text = message.text
        if not settings.DEBUG:
            for name in SECRET_PARAMS:
                value = str(message.params.get(name) or "")
                if value:
                    text = text.replace(value, "•" * len(value))
        logger.info("SMS to %s: %s", mask_mobile(message.mobile), text)


class LocMemSMSBackend(BaseSMSBackend):
    """Keeps every SMS in `portal.sms.outbox` for tests to inspect."""

    def send(self, message):
        outbox.append(message)


# --- Alibaba Cloud SMS -----------------------------------------------------------------------

ALIYUN_VERSION = "2017-05-25"
# Codes after which the same request may succeed a moment later; every other code is a refusal.
ALIYUN_RETRY_CODES = {"isp.SYSTEM_ERROR", "ServiceUnavailable", "Throttling", "Throttling.User", "InternalError"}


def percent_encode(value):
    """RFC 3986 encoding as the RPC signature wants it: space %20, * %2A, ~ kept."""
    return urllib.parse.quote(str(value), safe="~")


def aliyun_signature(params, secret, method="POST"):
    """The Signature of an RPC-style request: HMAC-SHA1 over the sorted, encoded parameters."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSMSBackend(BaseSMSBackend):
    """settings.SMS_ALIYUN = {"ACCESS_KEY_ID", "ACCESS_KEY_SECRET", "SIGN_NAME", "TEMPLATES": {kind: code},
    optional "ENDPOINT", "REGION", "TIMEOUT" (seconds), "RETRIES", "BACKOFF" (seconds, doubled each time)}."""

    def __init__(self):
        config = getattr(settings, "SMS_ALIYUN", None) or {}
        missing = [key for key in ("ACCESS_KEY_ID", "ACCESS_KEY_SECRET", "SIGN_NAME") if not config.get(key)]
        if missing:
            raise ImproperlyConfigured(f"SMS_ALIYUN needs {', '.join(missing)}")
        self.key_id = config["ACCESS_KEY_ID"]
        self.secret = config["ACCESS_KEY_SECRET"]
        self.sign_name = config["SIGN_NAME"]
        self.templates = config.get("TEMPLATES", {})
        self.endpoint = config.get("ENDPOINT", "https://dysmsapi.aliyuncs.com/")
        if urllib.parse.urlsplit(self.endpoint).scheme not in ("https", "http"):
            raise ImproperlyConfigured("SMS_ALIYUN ENDPOINT must be an https:// address")
        self.region = config.get("REGION", "cn-hangzhou")
        self.timeout = float(config.get("TIMEOUT", 5))
        self.retries = int(config.get("RETRIES", 2))
        self.backoff = float(config.get("BACKOFF", 0.5))

    def request_params(self, message):
        template = self.templates.get(message.kind)
        if not template:
            raise SMSRefused(f"no Aliyun template is configured for SMS kind '{message.kind}'", code="NoTemplate")
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": ALIYUN_VERSION,
            "PhoneNumbers": message.mobile,
            "SignName": self.sign_name,
            "TemplateCode": template,
            # Template variables are strings for the provider ("isv.INVALID_JSON_PARAM" otherwise).
            "TemplateParam": json.dumps({k: str(v) for k, v in message.params.items()}, ensure_ascii=False),
        }
        params["Signature"] = aliyun_signature(params, self.secret)
        return params

    def send(self, message):
        attempt, last = 0, None
        while True:
            try:
                return self._send_once(message)
            except SMSUnavailable as error:
                last = error
            attempt += 1
            if attempt > self.retries:
                raise last
            logger.warning("SMS to %s not sent (%s); retry %d", mask_mobile(message.mobile), last, attempt)
            time.sleep(self.backoff * 2 ** (attempt - 1))

    def _send_once(self, message):
        # A fresh nonce and timestamp per attempt: the provider refuses a replayed nonce.
        body = urllib.parse.urlencode(self.request_params(message)).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        # The endpoint's scheme was checked in __init__: http(s) only.
        request = urllib.request.Request(self.endpoint, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SMSUnavailable(f"Aliyun SMS unreachable: {error}")
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        code, text, request_id = answer.get("Code", ""), answer.get("Message", ""), answer.get("RequestId", "")
        if status == 200 and code == "OK":
            logger.info("SMS to %s accepted by Aliyun (%s)", mask_mobile(message.mobile), answer.get("BizId", ""))
            return answer.get("BizId", "")
        if status >= 500 or code in ALIYUN_RETRY_CODES or not code:
            raise SMSUnavailable(text or f"HTTP {status}", code=code, request_id=request_id)
        raise SMSRefused(text, code=code, request_id=request_id)


def get_backend():
    return import_string(getattr(settings, "SMS_BACKEND", DEFAULT_BACKEND))()


def send_sms(mobile, text, kind="", params=None):
    """Send one SMS through the configured backend; raises SMSError when it cannot be sent."""
    get_backend().send(SMS(mobile, text, kind, dict(params or {})))
