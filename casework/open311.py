"""Open311 GeoReport v2 at /open311/: discovery, services, service definitions, requests (list and
one) in JSON and XML, and POST requests with an API key (casework.models.Open311Client).

As the specification (http://wiki.open311.org/GeoReport_v2) has it: the format is the path's
`.json` / `.xml` suffix (or `?format=`; XML, the required one, when neither), JSON lists are bare
arrays, every datetime carries its offset (+08:00), and an error is the array of
{code, description} with the HTTP status 400, 403 or 404. Our own choices where it leaves room:

- service_code is the category slug, service_name its Chinese name, status `open` until the case
  is finished (FINISHED_STATES) and `closed` after, expected_datetime the resolve deadline,
  agency_responsible the grid's name, status_notes the latest public case event's note;
- a case is public only at street level: no reporter name, mobile, email, description or exact
  address ever leaves here (the resident typed those for the office, not for the world); `address`
  is the community with the street (街巷) chosen, or with the grid when it was a building or
  unknown, as the tracking page shows it. We store no coordinates, so lat/long are empty;
- the one question every category asks on the wizard's location step (the street or building, or
  不清楚) is the `place` attribute, with `since` and `frequency` from the details step; a request is
  posted through casework.submission.submit_report with the wizard's checks (casework.intake).

Nothing here answers 500 to any input: parameters are parsed by hand into 400s, and a request's
text is never trusted as a format, an id or a number.
"""

import datetime
import hashlib
import json
import re
from io import StringIO
from xml.sax.saxutils import XMLGenerator

from django import forms
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from alliance.models import Community, GridArea
from portal import siteaddress
from portal.params import clean_text
from portal.ratelimit import BUSY_MESSAGE, BUSY_RETRY_AFTER, CountersUnavailable, count_hit
from portal.xmltext import xml_text

from .intake import CaseDetailsForm, ReporterForm, address_field
from .models import FINISHED_STATES, CaseCategory, CaseEvent, Channel, Frequency, GrievanceReport, Open311Client
from .submission import submit_report

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the endpoint's shape last changed (the discovery file's changeset).
CHANGESET = "2026-12-04T00:00:00+08:00"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
DEFAULT_FORMAT = "xml"
MAX_DAYS = 90  # the spec's default span and the longest one a query may ask for
MAX_REQUESTS = 1000  # the spec's default limit
MAX_IDS = MAX_REQUESTS
PLACE_ATTRIBUTE = "place"
CONSENT_ATTRIBUTE = "consent"
CONSENT_YES = "yes"
UNSURE_PREFIX = "unsure-"  # the place key of 不清楚 in a community: unsure-<community id>
# Singular element names of the XML lists (the JSON has the plural key holding an array).
XML_ITEMS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}
# Digit runs a resident or a worker may have typed into a public note: mobiles, landlines, ID numbers.
DIGIT_RUN = re.compile(r"\d[\d\s-]{6,}\d")


class Open311Error(Exception):
    """Answered as the Open311 error array with `status` (400, 403, 404, 405, 429, 503)."""

    def __init__(self, status, *descriptions, headers=None):
        super().__init__(descriptions)
        self.status = status
        self.descriptions = descriptions
        self.headers = headers or {}


# --- Writing JSON and XML -------------------------------------------------------------------


def _scalar(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_text(str(value))


def _write(xml, name, value):
    xml.startElement(name, {})
    if isinstance(value, dict):
        for key, item in value.items():
            _write(xml, key, item)
    elif isinstance(value, list):
        for item in value:
            _write(xml, XML_ITEMS[name], item)
    else:
        xml.characters(_scalar(value))
    xml.endElement(name)


def to_xml(root, item, data):
    """The document `<root><item>…</item>…</root>` (or `<root>…</root>` for a dict), written by the
    standard library's XML writer: every text escaped, control characters made visible first."""
    out = StringIO()
    xml = XMLGenerator(out, encoding="UTF-8", short_empty_elements=True)
    xml.startDocument()
    if isinstance(data, dict):
        _write(xml, root, data)
    else:
        xml.startElement(root, {})
        for entry in data:
            _write(xml, item, entry)
        xml.endElement(root)
    xml.endDocument()
    return out.getvalue()


def respond(fmt, root, item, data, status=200, headers=None):
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        body = to_xml(root, item, data)
    response = HttpResponse(body.encode("utf-8"), status=status, content_type=FORMATS[fmt])
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(fmt, error):
    data = [{"code": error.status, "description": str(description)} for description in error.descriptions]
    return respond(fmt, "errors", "error", data, status=error.status, headers=error.headers)


def chosen_format(request, suffix):
    """The path's suffix, else ?format=, else XML; an unknown ?format= is a 400 (answered in XML)."""
    if suffix:
        return suffix
    asked = request.GET.get("format", "")
    if not asked:
        return DEFAULT_FORMAT
    if asked not in FORMATS:
        raise Open311Error(400, _("format 只能是 json 或 xml。"))
    return asked


def endpoint(methods):
    """A view of this API: its format chosen, any Open311Error answered as the error array,
    other methods refused with 405, and GETs readable from any web page (CORS)."""

    def decorate(view):
        @csrf_exempt
        def wrapped(request, fmt=None, **kwargs):
            try:
                fmt = chosen_format(request, fmt)
            except Open311Error as error:
                return error_response(DEFAULT_FORMAT, error)
            try:
                if request.method not in methods and not (request.method == "HEAD" and "GET" in methods):
                    raise Open311Error(405, _("不支持 %(method)s 请求。") % {"method": clean_text(request.method, 10)})
                response = view(request, fmt, **kwargs)
            except Open311Error as error:
                response = error_response(fmt, error)
                if error.status == 405:
                    response["Allow"] = ", ".join(methods)
            if request.method in ("GET", "HEAD"):
                response["Access-Control-Allow-Origin"] = "*"
            return response

        return wrapped

    return decorate


# --- Times, places and the public face of a case ---------------------------------------------


def moment(value):
    """2026-11-22T10:15:30+08:00: local time (Asia/Shanghai) with its offset, to the second."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def public_place(report):
    """What the tracking page shows of where: the community with the street, else with the grid."""
    area = report.area
    if area is not None and area.kind == GridArea.Kind.STREET:
        return f"{report.community.name} · {area.name}"
    return f"{report.community.name} · {report.grid.name}"


def public_note(text):
    """A public note with every long digit run (a mobile, a landline, an ID number) hidden."""
    return DIGIT_RUN.sub("****", text or "")


def category_description(category):
    if category.emergency_notice:
        return _("%(explanation)s（正在发生危险请直接拨打 119 / 110 / 120）") % {"explanation": category.explanation}
    return category.explanation


def public_request(report):
    """One case as GeoReport v2 shows a request, with nothing that could name or find the reporter."""
    return {
        "service_request_id": report.reference,
        "status": "closed" if report.state in FINISHED_STATES else "open",
        "status_notes": public_note(report.public_note),
        "service_name": report.category.name,
        "service_code": report.category.slug,
        "description": "",
        "agency_responsible": report.grid.name,
        "service_notice": "",
        "requested_datetime": moment(report.created_at),
        "updated_datetime": moment(report.public_update or report.created_at),
        "expected_datetime": moment(report.resolve_due),
        "address": public_place(report),
        "address_id": "",
        "zipcode": "",
        "lat": "",
        "long": "",
        "media_url": "",
    }


def public_requests():
    """Cases with the latest public event's note and time: one query for any number of them."""
    public_events = CaseEvent.objects.filter(report=OuterRef("pk"), public=True).order_by("-created_at", "-pk")
    return GrievanceReport.objects.select_related("category", "community", "grid", "area").annotate(
        public_note=Subquery(public_events.exclude(note="").values("note")[:1]),
        public_update=Subquery(public_events.values("created_at")[:1]),
    )


# --- Discovery and services ------------------------------------------------------------------


@endpoint(["GET"])
def discovery(request, fmt):
    data = {
        "changeset": CHANGESET,
        "contact": _("如对接口有疑问，请联系街道办民情工作人员。"),
        "key_service": _("提交诉求需要 API 密钥，由街道办工作人员在管理后台签发。"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": siteaddress.absolute(reverse("open311_services"), request).rsplit("/", 1)[0],
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", "", data)


def service(category):
    return {
        "service_code": category.slug,
        "service_name": category.name,
        "description": category_description(category),
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": _("民情诉求"),
    }


@endpoint(["GET"])
def services(request, fmt):
    return respond(fmt, "services", "service", [service(c) for c in CaseCategory.objects.filter(active=True)])


def places():
    """(key, name) of every place a resident can pick on the wizard: each community's streets and
    buildings, then its 不清楚; communities without a grid take no cases online and are left out."""
    areas = {}
    for area in GridArea.objects.select_related("grid").order_by("grid__name", "grid__pk", "sort_order", "pk"):
        areas.setdefault(area.grid.community_id, []).append(area)
    values = []
    for community in Community.objects.filter(grids__isnull=False).distinct().order_by("sub_district", "name"):
        for area in areas.get(community.pk, []):
            values.append({"key": str(area.pk), "name": f"{community.name} · {area.name}"})
        values.append(
            {
                "key": f"{UNSURE_PREFIX}{community.pk}",
                "name": _("%(name)s · 不清楚 / 列表里没有") % {"name": community.name},
            }
        )
    return values


def attributes():
    return [
        {
            "variable": True,
            "code": PLACE_ATTRIBUTE,
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": _(
                "所在社区的街巷或楼栋；不清楚请选该社区的“不清楚”。也可用 address_id 传街巷或楼栋的编号。"
            ),
            "order": 1,
            "description": _("街巷或楼栋"),
            "values": places(),
        },
        {
            "variable": True,
            "code": "since",
            "datatype": "string",
            "required": False,
            "datatype_description": _("例如：上个月开始、今年夏天以来（60 字以内）"),
            "order": 2,
            "description": _("从什么时候开始"),
            "values": [],
        },
        {
            "variable": True,
            "code": "frequency",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "",
            "order": 3,
            "description": _("多久发生一次"),
            "values": [{"key": code, "name": str(label)} for code, label in Frequency.choices],
        },
        {
            "variable": True,
            "code": CONSENT_ATTRIBUTE,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("提交姓名、电话或电子邮箱时必填：反映人已阅读并同意个人信息告知。"),
            "order": 4,
            "description": _("同意个人信息告知"),
            "values": [{"key": CONSENT_YES, "name": _("反映人已同意")}],
        },
    ]


def category_or_404(code):
    code = clean_text(code, max_length=30)
    category = CaseCategory.objects.filter(slug=code, active=True).first() if code else None
    if category is None:
        raise Open311Error(404, _("没有这个服务类别（service_code）：%(code)s。") % {"code": code or "—"})
    return category


@endpoint(["GET"])
def service_definition(request, fmt, service_code):
    category = category_or_404(service_code)
    return respond(fmt, "service_definition", "", {"service_code": category.slug, "attributes": attributes()})


# --- Requests --------------------------------------------------------------------------------


def _values(request, name, max_values):
    raw = clean_text(request.GET.get(name, ""), max_length=20000)
    values = [value.strip() for value in raw.split(",") if value.strip()]
    if len(values) > max_values:
        raise Open311Error(400, _("%(name)s 最多 %(n)d 个。") % {"name": name, "n": max_values})
    return values


def parse_moment(request, name):
    """A W3C datetime (2026-11-22T08:00:00+08:00, …Z), or a date; without an offset it is Beijing time."""
    raw = clean_text(request.GET.get(name, ""), max_length=40).strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            value = datetime.datetime.combine(day, datetime.time.min) if day else None
        if value is None:
            raise ValueError(raw)
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        value.astimezone(datetime.UTC)  # an offset that pushes it out of range fails here, not later
    except (ValueError, OverflowError):
        raise Open311Error(
            400, _("%(name)s 不是有效的时间，请用 W3C 格式，例如 2026-11-22T08:00:00+08:00。") % {"name": name}
        )
    return value


def date_range(request):
    """(start, end) of requested_datetime: the spec's default is the latest 90 days, and a range
    asked for may not span more than 90 days."""
    start, end = parse_moment(request, "start_date"), parse_moment(request, "end_date")
    span = datetime.timedelta(days=MAX_DAYS)
    if start and end:
        if start > end:
            raise Open311Error(400, _("start_date 不能晚于 end_date。"))
        if end - start > span:
            raise Open311Error(400, _("start_date 到 end_date 不能超过 %(n)d 天。") % {"n": MAX_DAYS})
        return start, end
    try:
        if start:
            return start, start + span
        if end:
            return end - span, end
    except OverflowError:
        raise Open311Error(400, _("时间超出范围。"))
    now = timezone.now()
    return now - span, now


@endpoint(["GET", "POST"])
def requests_view(request, fmt):
    if request.method == "POST":
        return post_request(request, fmt)
    cases = public_requests()
    ids = _values(request, "service_request_id", MAX_IDS)
    if ids:
        # The spec: a list of ids overrides every other parameter.
        cases = cases.filter(reference__in=[clean_text(i, max_length=30) for i in ids])
    else:
        codes = _values(request, "service_code", 100)
        if codes:
            known = set(CaseCategory.objects.filter(slug__in=codes).values_list("slug", flat=True))
            unknown = [code for code in codes if code not in known]
            if unknown:
                raise Open311Error(400, _("没有这个服务类别（service_code）：%(code)s。") % {"code": unknown[0][:30]})
            cases = cases.filter(category__slug__in=codes)
        statuses = set(_values(request, "status", 2))
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status 只能是 open 或 closed，可用逗号分隔。"))
        if statuses == {"open"}:
            cases = cases.exclude(state__in=FINISHED_STATES)
        elif statuses == {"closed"}:
            cases = cases.filter(state__in=FINISHED_STATES)
        start, end = date_range(request)
        cases = cases.filter(Q(created_at__gte=start) & Q(created_at__lte=end))
    rows = cases.order_by("-created_at", "-pk")[:MAX_REQUESTS]
    return respond(fmt, "service_requests", "request", [public_request(r) for r in rows])


@endpoint(["GET"])
def request_view(request, fmt, service_request_id):
    reference = clean_text(service_request_id, max_length=30)
    report = public_requests().filter(reference=reference).first() if reference else None
    if report is None:
        raise Open311Error(404, _("没有这个诉求（service_request_id）：%(id)s。") % {"id": reference or "—"})
    return respond(fmt, "service_requests", "request", [public_request(report)])


@endpoint(["GET", "POST"])
def not_found(request, fmt, rest=""):
    raise Open311Error(404, _("没有这个接口地址。"))


# --- POST a request ----------------------------------------------------------------------------

# The API's parameter for each field of the intake forms, so an error names what the client sent.
PARAMETERS = {
    "description": "description",
    "since": "attribute[since]",
    "frequency": "attribute[frequency]",
    "address": "address_string",
    "name": "first_name / last_name",
    "mobile": "phone",
    "email": "email",
}


class AddressForm(forms.Form):
    address = address_field()


def _field_errors(form):
    return [
        f"{PARAMETERS.get(name, name)}：{message}" if name != "__all__" else str(message)
        for name, messages in form.errors.items()
        for message in messages
    ]


def _text(data, name, max_length=2100):
    """A posted value, at most max_length characters, with NUL bytes and other controls but the line
    breaks made spaces (PostgreSQL refuses NUL; a description keeps its paragraphs)."""
    value = data.get(name, "")
    value = value[:max_length] if isinstance(value, str) else ""
    return "".join(" " if (ord(c) < 32 and c not in "\n\r\t") or c == "\x7f" else c for c in value)


def chosen_place(data):
    """(area, community) from attribute[place] or address_id: an area of a community, or 不清楚 in one."""
    raw = clean_text(data.get(f"attribute[{PLACE_ATTRIBUTE}]", "") or data.get("address_id", ""), 40)
    if not raw:
        raise Open311Error(400, _("attribute[place]：请选择街巷或楼栋（见服务定义），或用 address_id 传它的编号。"))
    if raw.startswith(UNSURE_PREFIX) and raw[len(UNSURE_PREFIX) :].isascii() and raw[len(UNSURE_PREFIX) :].isdigit():
        community = Community.objects.filter(pk=int(raw[len(UNSURE_PREFIX) :][:12])).first()
        if community is not None:
            return None, community
    elif raw.isascii() and raw.isdigit():
        area = GridArea.objects.select_related("grid__community").filter(pk=int(raw[:12])).first()
        if area is not None:
            return area, area.grid.community
    raise Open311Error(400, _("attribute[place]：没有这个街巷或楼栋，请从服务定义的列表中选择。"))


def route(area, community):
    """The grid a case goes to: the area's, or for 不清楚 the community's first (as the wizard routes)."""
    grid = area.grid if area is not None else community.first_grid()
    if grid is None:
        message = _("%(name)s还没有划分网格，暂时不能在网上受理。") % {"name": community.name}
        raise Open311Error(400, f"attribute[place]：{message}")
    return grid


def posted_case(data):
    """Everything submit_report needs, checked as the wizard checks it; Open311Error(400) listing
    every problem with the parameter it concerns."""
    category = CaseCategory.objects.filter(slug=clean_text(data.get("service_code", ""), 30), active=True).first()
    if category is None:
        if not data.get("service_code"):
            raise Open311Error(400, _("service_code：请选择服务类别。"))
        raise Open311Error(
            404, _("没有这个服务类别（service_code）：%(code)s。") % {"code": clean_text(data["service_code"], 30)}
        )
    area, community = chosen_place(data)
    grid = route(area, community)
    details = CaseDetailsForm(
        {
            "description": _text(data, "description"),
            "since": _text(data, "attribute[since]", 100),
            "frequency": clean_text(data.get("attribute[frequency]", ""), 20),
        }
    )
    address = AddressForm({"address": clean_text(data.get("address_string", ""), 300)})
    name = clean_text(data.get("last_name", ""), 30) + clean_text(data.get("first_name", ""), 30)
    mobile, email = clean_text(data.get("phone", ""), 30), clean_text(data.get("email", ""), 260)
    contact = ReporterForm(
        {"anonymous": not (name or mobile or email) and "on", "name": name, "mobile": mobile, "email": email}
    )
    errors = _field_errors(details) + _field_errors(address) + _field_errors(contact)
    consented = clean_text(data.get(f"attribute[{CONSENT_ATTRIBUTE}]", ""), 10) == CONSENT_YES
    if (name or mobile or email) and not consented:
        errors.append(_("attribute[consent]：提交姓名或电话前，反映人须同意个人信息告知（attribute[consent]=yes）。"))
    if errors:
        raise Open311Error(400, *errors)
    return {
        "category": category,
        "grid": grid,
        "area": area,
        "place_unsure": area is None,
        "address": address.cleaned_data["address"],
        "description": details.cleaned_data["description"],
        "since": details.cleaned_data["since"],
        "frequency": details.cleaned_data["frequency"],
        "contact": {**contact.cleaned_data, "consent": consented},
    }


def _key(*parts):
    return "o311-" + hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:59]


def submission_keys(client, data, token, now):
    """The submission key of this POST, and the one a repeat of it would have found first.

    With a client's own token (the Idempotency-Key header or `idempotency_key`), one case per client
    and token, for ever. Without one, the same client posting the same content within
    OPEN311_REPEAT_WINDOW seconds makes one case: the key names the window it falls in, and the
    window before is checked too.
    """
    if token:
        return _key(client.pk, "token", token), None
    window = settings.OPEN311_REPEAT_WINDOW
    content = sorted((name, value) for name, value in data.items() if name != "api_key")
    slot = int(now.timestamp()) // window
    return _key(client.pk, "content", content, slot), _key(client.pk, "content", content, slot - 1)


def authenticated_client(request, data):
    key = request.headers.get("X-Api-Key") or data.get("api_key", "")
    if not key:
        raise Open311Error(403, _("缺少 api_key：提交诉求需要街道办签发的 API 密钥。"))
    client = Open311Client.objects.holding(key if isinstance(key, str) else "")
    if client is None:
        raise Open311Error(403, _("api_key 无效或已吊销。"))
    return client


def post_request(request, fmt):
    try:
        data = request.POST
    except (SuspiciousOperation, MultiPartParserError, UnreadablePostError, ValueError):
        raise Open311Error(400, _("请求内容无法读取，请用 application/x-www-form-urlencoded 提交。"))
    client = authenticated_client(request, data)
    try:
        if count_hit(f"ratelimit:open311:{client.pk}", settings.OPEN311_POST_WINDOW) > settings.OPEN311_POST_LIMIT:
            raise Open311Error(
                429, _("提交过于频繁，请稍后再试。"), headers={"Retry-After": str(settings.OPEN311_POST_WINDOW)}
            )
    except CountersUnavailable:
        # Fail closed, as every counted door here does (portal/ratelimit.py).
        raise Open311Error(503, str(BUSY_MESSAGE), headers={"Retry-After": str(BUSY_RETRY_AFTER)})
    fields = posted_case(data)
    now = timezone.now()
    token = clean_text(request.headers.get("Idempotency-Key") or data.get("idempotency_key", ""), 100)
    key, earlier = submission_keys(client, {k: data.get(k, "") for k in data}, token, now)
    report = None
    if earlier:
        window = datetime.timedelta(seconds=settings.OPEN311_REPEAT_WINDOW)
        report = GrievanceReport.objects.filter(submission_key=earlier, created_at__gte=now - window).first()
    if report is None:
        report, _secret = submit_report(key, channel=Channel.API, **fields)
    client.touch(now)
    notice = _("已收到，编号 %(reference)s，将在 %(due)s 前受理。") % {
        "reference": report.reference,
        "due": formats.date_format(timezone.localtime(report.accept_due), "Y年n月j日 H:i"),
    }
    return respond(
        fmt,
        "service_requests",
        "request",
        [{"service_request_id": report.reference, "service_notice": notice, "account_id": ""}],
    )
