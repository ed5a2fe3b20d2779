"""One way to walk the public wizards, shared by the suite and by bench/ (which puts the repository
root on sys.path and imports this module).

A wizard is its address, its formtools prefix and its thank-you page. A step is posted as the
fields of its form under the step's prefix, with the wizard's submission key; `payload` builds
that body once for everyone. Two transports post it:

- Django's test `Client` (the suite): `key_of`, `post_step`, `walk_report`, `walk_apply`;
- `HttpResident`, a browser-like client over http.client with its cookies and CSRF token, for a
  real server (benchmarks, load runs and fault tests): `HttpResident.walk`.

The standard answers (`report_steps`, `apply_steps`) are what a resident or shopkeeper types;
callers change any field, leave out photos, or stop before the last step.
"""

import http.client
import io
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

KEY = re.compile(r'name="submission_key" value="([^"]+)"')
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Wizard:
    url: str
    prefix: str
    thanks: str


REPORT = Wizard("/report/", "report_wizard", "/report/thanks/")
APPLY = Wizard("/apply/", "apply_wizard", "/apply/thanks/")


@dataclass
class Step:
    """One screen: its name, the fields typed, and photos as {field: (filename, bytes)}."""

    name: str
    fields: dict
    photos: dict = field(default_factory=dict)


def payload(wizard, step, fields, key):
    """The POST body of one step (without files)."""
    data = {f"{wizard.prefix}-current_step": step, "submission_key": key}
    data.update({f"{step}-{name}": value for name, value in fields.items()})
    return data


def jpeg_bytes(size=(64, 48), color="green"):
    # Imported here so bench/ and the fault harness need Pillow only when they send a photo.
    from PIL import Image  # noqa: PLC0415

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


# --- What people type ---------------------------------------------------------------------------


def _id(value):
    """A model instance's pk, or the id itself (bench/ passes ids it read from the database)."""
    return getattr(value, "pk", value)


# forms.fields.UNSURE: the last choice of the street/building list, 不清楚 / 列表里没有.
UNSURE = "unsure"


def _area(place):
    """The street or building a place names, else 不清楚 (which routes to the community's first grid)."""
    return _id(place["area"]) if place.get("area") else UNSURE


def report_steps(place, *, category, contact=None, photo=None, description=None, since="上个月", **location):
    """The six steps of /report/: `place` holds the community, its grid and optionally the street or
    building (`area`) that routes to it; `photo` is (name, bytes)."""
    return [
        Step("category", {"category": _id(category)}),
        Step("community", {"community": _id(place["community"])}),
        Step(
            "location",
            {"area": _area(place), "address": "解放路 18 号", **location},
            {"photo_1": photo} if photo else {},
        ),
        Step(
            "details", {"description": description or "饭店排烟管正对三楼窗户，每天中午和晚上油烟很大", "since": since}
        ),
        Step(
            "contact",
            contact if contact is not None else {"name": "王秀兰", "mobile": "138 1234 5678", "consent": "on"},
        ),
        Step("review", {"confirm": "on"}),
    ]


def apply_steps(place, *, credit_code, convention, shop=None, photos=None):
    """The seven steps of /apply/; `photos` is {field: (name, bytes)} (a shop front and a licence by default)."""
    shop_fields = {
        "shop_name": "老王面馆",
        "category": "restaurant",
        "area": _area(place),
        "address": "解放路 18 号",
        "credit_code": credit_code,
        **(shop or {}),
    }
    if photos is None:
        photos = {"shop_front": ("门头.jpg", jpeg_bytes(color="red")), "licence": ("执照.jpg", jpeg_bytes(color="red"))}
    return [
        Step("community", {"community": _id(place["community"])}),
        Step("shop", shop_fields),
        Step("contact", {"contact_person": "王建国", "mobile": "+86 139-0000-1111", "consent": "on"}),
        Step(
            "offers",
            {
                "offers": "每月 18 日九折",
                "elderly_delivery": "on",
                "opening_hours": "7:00—21:00",
                "shop_phone": "0931-8123456",
            },
        ),
        Step("photos", {}, photos),
        Step("convention", {"convention": _id(convention), "agree": "on", "signed_name": "王建国"}),
        Step("review", {"confirm": "on"}),
    ]


# --- Django's test client -----------------------------------------------------------------------


def _uploads(step, photos):
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415 - bench/ has no Django loaded

    return {
        f"{step}-{name}": SimpleUploadedFile(filename, data, content_type="image/jpeg")
        for name, (filename, data) in photos.items()
    }


def restart_wizard(client, wizard=REPORT):
    """清空重新填写, confirmed: the POST that wipes the wizard, followed to its first step."""
    return client.post(wizard.url, {"wizard_restart": "1"}, follow=True)


def key_of(client, wizard=REPORT, restart=False):
    """GET the wizard (from its first step when restart) and read its submission key."""
    if restart:
        return restart_wizard(client, wizard).context["submission_key"]
    return client.get(wizard.url).context["submission_key"]


def post_step(client, wizard, step, fields, key, photos=None, extra=None):
    """POST one step through the test client; `extra` is added as is (a honeypot, say)."""
    data = {**payload(wizard, step, fields, key), **(extra or {}), **_uploads(step, photos or {})}
    return client.post(wizard.url, data)


def walk(client, wizard, steps, key, extra=None):
    """POST every step in turn; returns the last response."""
    response = None
    for step in steps:
        response = post_step(client, wizard, step.name, step.fields, key, step.photos, extra)
    return response


def walk_report(client, place, key, *, category, photo=True, **options):
    """The whole report wizard as a resident fills it; returns the last response."""
    photo = ("门口.jpg", jpeg_bytes()) if photo is True else photo or None
    return walk(client, REPORT, report_steps(place, category=category, photo=photo, **options), key)


def walk_apply(client, place, key, *, credit_code, convention, upto=None, **options):
    """The application wizard up to (not including) step `upto`, or to the end; returns the last response."""
    steps = apply_steps(place, credit_code=credit_code, convention=convention, **options)
    if upto:
        steps = steps[: [s.name for s in steps].index(upto)]
    return walk(client, APPLY, steps, key)


# --- A real server ------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list
    body: bytes

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def header(self, name):
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    @property
    def location(self):
        return self.header("Location")


class HttpResident:
    """One browser against a real server: its cookies, the CSRF token, multipart photos.

    keep_alive=False opens a fresh connection per request and never retries, so a reset shows
    (the fault tests); keep_alive=True reuses one and retries once on a dropped connection.
    """

    def __init__(self, port, host=HOST, keep_alive=True, timeout=60):
        self.host, self.port, self.keep_alive, self.timeout = host, port, keep_alive, timeout
        self.cookies = {}
        self.conn = None
        self.key = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.setdefault("Host", f"{self.host}:{self.port}")
        for attempt in range(2 if self.keep_alive else 1):
            conn = self.conn or http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                conn.request(method, path, body=body, headers=headers)
                raw = conn.getresponse()
                response = Response(raw.status, raw.getheaders(), raw.read())
            except (http.client.HTTPException, OSError):
                conn.close()
                self.conn = None
                if attempt or not self.keep_alive:
                    raise
                continue
            if self.keep_alive and response.header("Connection").lower() != "close":
                self.conn = conn
            else:
                conn.close()
                self.conn = None
            self._keep_cookies(response)
            return response
        raise ConnectionError("unreachable")

    def _keep_cookies(self, response):
        for name, value in response.headers:
            if name.lower() == "set-cookie":
                key, _, val = value.split(";", 1)[0].partition("=")
                self.cookies[key.strip()] = val.strip()

    def get(self, path):
        return self.request("GET", path)

    @property
    def csrf_token(self):
        # csrftoken, or __Host-csrftoken under the production settings
        return next((value for name, value in self.cookies.items() if name.endswith("csrftoken")), "")

    def start(self, wizard=REPORT):
        """A fresh wizard: forget the cookies, GET its first step, keep its submission key."""
        self.cookies.clear()
        page = self.get(wizard.url + "?restart=1")
        found = KEY.search(page.text) if page.status == 200 else None
        self.key = found.group(1) if found else None
        return page

    def post_step(self, wizard, step):
        data = {**payload(wizard, step.name, step.fields, self.key), "csrfmiddlewaretoken": self.csrf_token}
        headers = {"Referer": f"http://{self.host}:{self.port}{wizard.url}", "X-CSRFToken": self.csrf_token}
        if not step.photos:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return self.request("POST", wizard.url, urlencode(data).encode(), headers)
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in data.items()
        ]
        for name, (filename, content) in step.photos.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{step.name}-{name}"; filename="{filename}"\r\n'
                "Content-Type: image/jpeg\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        return self.request("POST", wizard.url, b"".join(parts), headers)

    def walk(self, wizard, steps):
        """Start the wizard and POST every step; returns the last response (a 302 to thanks when done)."""
        self.start(wizard)
        response = None
        for step in steps:
            response = self.post_step(wizard, step)
        return response

    def completed(self, wizard, response):
        return response is not None and response.status == 302 and response.location.endswith(wizard.thanks)
