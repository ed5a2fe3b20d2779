"""The hostile corpus through the real pages: both wizards walked with each string in every
free-text field, the questionnaire, the track form and every public filter.

Per string: the wizard either stores it as typed (compared with the database row, after the
documented normalisation) or shows the step again, status 200, a Chinese error on that field and
the typed value kept (escaped) in the form; no page answers 5xx. One test per page walks the sample
(hostile.HTTP_SAMPLE: every category, first and last string, and a quarter of the combinations; the
full corpus runs per field at form level) and lists every failing string, so a world is built once
per page, not once per string.
"""

import traceback
import urllib.parse

import pytest
from django.core.cache import cache
from wagtail.contrib.forms.models import FormSubmission

from alliance.views import MAX_QUERY_LENGTH as DIRECTORY_QUERY_LENGTH
from casework.models import CaseCategory, GrievanceReport
from forms.models import MerchantApplication
from home.search import MAX_QUERY_LENGTH as SEARCH_QUERY_LENGTH
from portal.params import clean_text
from tests import wizard_driver as driver

from .checks import CJK, CONTACT_PERSON, shown_escaped
from .forms_under_test import CODE, credit_code, mobile, strip
from .hostile import HTTP_SAMPLE, label

pytestmark = pytest.mark.django_db


class Step:
    def __init__(self, name, benign, hostile=(), photos=(), choices=()):
        self.name = name
        self.benign = benign  # world -> valid data
        self.hostile = hostile  # free-text fields that get the hostile string
        self.photos = photos
        self.choices = choices  # choice fields that get it too: refused in Chinese, never echoed


REPORT = {
    "wizard": driver.REPORT,
    "model": GrievanceReport,
    "steps": [
        Step("category", lambda w: {"category": CaseCategory.objects.get(slug="noise").pk}),
        Step("community", lambda w: {"community": w["community"].pk}, choices=("community",)),
        Step(
            "location",
            lambda w: {"area": str(w["area"].pk), "address": "解放路 18 号"},
            ("address",),
            photos=("photo_1",),
            choices=("area",),
        ),
        Step(
            "details",
            lambda w: {"description": "楼下烧烤店每晚十一点后还在放音乐", "since": "上个月"},
            ("description", "since"),
        ),
        Step(
            "contact",
            lambda w: {"name": "王秀兰", "mobile": "13812345678", "email": "", "consent": "on"},
            ("name", "mobile", "email"),
        ),
        Step("review", lambda w: {"confirm": "on"}),
    ],
    # form field -> (model field, normalisation)
    "stored": {
        "address": ("address", strip),
        "description": ("description", strip),
        "since": ("since", strip),
        "name": ("reporter_name", strip),
        "mobile": ("reporter_mobile", mobile),
        "email": ("reporter_email", strip),
    },
}

APPLY = {
    "wizard": driver.APPLY,
    "model": MerchantApplication,
    "steps": [
        Step("community", lambda w: {"community": w["community"].pk}, choices=("community",)),
        Step(
            "shop",
            lambda w: {
                "shop_name": "老王面馆",
                "category": "restaurant",
                "area": str(w["area"].pk),
                "address": "解放路 18 号",
                "credit_code": CODE,
            },
            ("shop_name", "address", "credit_code"),
            choices=("area",),
        ),
        Step(
            "contact",
            lambda w: {"contact_person": CONTACT_PERSON, "mobile": "13900001111", "email": "", "consent": "on"},
            ("contact_person", "mobile", "email"),
        ),
        Step(
            "offers", lambda w: {"offers": "每月 18 日九折", "opening_hours": "7:00—21:00"}, ("offers", "opening_hours")
        ),
        Step("photos", lambda w: {}, photos=("shop_front",)),
        # The signature must match the contact person: it takes the string when the contact person did.
        Step(
            "convention",
            lambda w: {"convention": w["convention"].pk, "agree": "on", "signed_name": CONTACT_PERSON},
            ("signed_name",),
        ),
        Step("review", lambda w: {"confirm": "on"}),
    ],
    "stored": {
        "shop_name": ("shop_name", strip),
        "address": ("address", strip),
        "credit_code": ("credit_code", credit_code),
        "contact_person": ("contact_person", strip),
        "mobile": ("mobile", mobile),
        "email": ("email", strip),
        "offers": ("offers", strip),
        "opening_hours": ("opening_hours", strip),
        "signed_name": ("signed_name", strip),
    },
}


def post_step(client, wizard, step, data, key):
    photos = {name: ("photo.jpg", driver.jpeg_bytes((32, 24), "red")) for name in step.photos}
    return driver.post_step(client, wizard["wizard"], step.name, data, key, photos)


def current_step(response):
    return response.context["wizard"]["steps"].current if response.status_code == 200 else None


def walk(client, world, wizard, value):
    """Walk the wizard with value in every hostile field; returns (problems, accepted fields)."""
    problems, accepted = [], {}
    start = driver.restart_wizard(client, wizard["wizard"])
    key = start.context["submission_key"]
    response = None
    for step in wizard["steps"]:
        data = {**step.benign(world), **dict.fromkeys(step.hostile + step.choices, value)}
        response = post_step(client, wizard, step, data, key)
        assert response.status_code < 500
        refused = set()
        if current_step(response) == step.name:
            form = response.context["wizard"]["form"]
            text = response.content.decode()
            refused = set(form.errors)
            if not refused <= set(step.hostile + step.choices):
                problems.append(f"{step.name}: errors on {sorted(refused)} beyond {step.hostile + step.choices}")
            for name, messages in form.errors.items():
                problems.extend(f"{step.name}.{name}: not Chinese: {m!r}" for m in messages if not CJK.search(m))
            if "请修改以下内容后再继续" not in text:
                problems.append(f"{step.name}: no error summary")
            if step.hostile and not shown_escaped(text, value):
                problems.append(f"{step.name}: typed value not kept escaped")
            data.update({name: step.benign(world)[name] for name in refused if name in step.benign(world)})
            response = post_step(client, wizard, step, data, key)
            if response.status_code == 200 and current_step(response) == step.name:
                problems.append(
                    f"{step.name}: benign values refused: {dict(response.context['wizard']['form'].errors)}"
                )
                return problems, accepted
        accepted.update({name: value for name in step.hostile if name not in refused})
    if response.status_code != 302:
        problems.append(f"final step answered {response.status_code}")
        return problems, accepted
    row = wizard["model"].objects.get(submission_key=key)
    if row.grid_id != world["grid"].pk:
        problems.append(f"routed to grid {row.grid_id}, not the community's {world['grid'].pk}")
    for name, raw in accepted.items():
        column, normalise = wizard["stored"][name]
        if getattr(row, column) != normalise(raw):
            problems.append(f"{column} stored {getattr(row, column)[:30]!r}, typed {raw[:30]!r}")
    return problems, accepted


def where(error):
    """The exception and the last line of our own code it passed through."""
    ours = [frame for frame in traceback.extract_tb(error.__traceback__) if "/.venv/" not in frame.filename]
    place = f" at {ours[-1].filename.rsplit('/main/', 1)[-1]}:{ours[-1].lineno}" if ours else ""
    return f"{type(error).__name__}: {error}{place}"


def walk_corpus(client, world, wizard):
    failures, accepted_counts = [], dict.fromkeys(wizard["stored"], 0)
    for value in HTTP_SAMPLE:
        cache.clear()  # the submission limit per client and hour
        try:
            problems, accepted = walk(client, world, wizard, value)
        except Exception as error:
            problems, accepted = [where(error)], {}
        failures.extend(f"[{label(value)}] {problem}" for problem in problems)
        for name in accepted:
            accepted_counts[name] += 1
    return failures, accepted_counts


def test_report_wizard_stores_hostile_text_as_typed_or_refuses_it_in_chinese(client, places):
    failures, accepted = walk_corpus(client, places, REPORT)
    assert not failures, "\n".join(failures[:30])
    assert GrievanceReport.objects.count() == len(HTTP_SAMPLE)
    # Most of the corpus is legitimate text for a description; an email field takes none of it.
    assert accepted["description"] > len(HTTP_SAMPLE) // 2 and accepted["email"] == 0, accepted


def test_apply_wizard_stores_hostile_text_as_typed_or_refuses_it_in_chinese(client, places):
    failures, accepted = walk_corpus(client, places, APPLY)
    assert not failures, "\n".join(failures[:30])
    assert MerchantApplication.objects.filter(reference__startswith="RM-").count() >= len(HTTP_SAMPLE)
    assert accepted["offers"] > len(HTTP_SAMPLE) // 2 and accepted["signed_name"] == accepted["contact_person"], (
        accepted
    )


def test_questionnaire_stores_hostile_answers_as_typed_or_refuses_them_in_chinese(client, world):
    page = world["questionnaire"]
    fields = {field.label: field.clean_name for field in page.form_fields.all()}
    texts = [fields["您住在哪个小区"], fields["其他建议"], fields["电子邮箱"]]
    benign = {fields["您住在哪个小区"]: "幸福里", fields["最希望改善的是"]: "路灯", fields["方便的时间"]: ["上午"]}
    failures, stored = [], 0
    for value in HTTP_SAMPLE:
        data = {**benign, **dict.fromkeys(texts, value)}
        response = client.post(page.url, data)
        assert response.status_code == 200
        form = response.context.get("form")
        refused = set(form.errors) if form is not None else set()
        if refused:
            text = response.content.decode()
            if not refused <= set(texts) or not all(CJK.search(m) for ms in form.errors.values() for m in ms):
                failures.append(f"[{label(value)}] errors {dict(form.errors)}")
            if not shown_escaped(text, value):
                failures.append(f"[{label(value)}] typed value not kept escaped")
            data.update({name: benign.get(name, "") for name in refused})
            response = client.post(page.url, data)
            if response.context.get("form") is not None and response.context["form"].errors:
                failures.append(f"[{label(value)}] benign answers refused")
                continue
        answers = FormSubmission.objects.filter(page=page).order_by("-pk").first().form_data
        stored += 1
        for name in set(texts) - refused:
            if answers[name] != value.strip():
                failures.append(f"[{label(value)}] {name} stored {answers[name][:30]!r}")
    assert not failures, "\n".join(failures[:30])
    assert stored == len(HTTP_SAMPLE) == FormSubmission.objects.filter(page=page).count()


def test_public_filters_and_track_never_fail_on_hostile_text(client, world):

    failures = []
    for value in HTTP_SAMPLE:
        cache.clear()  # the track lookup limit per client
        checks = [
            ("/merchants/", {"q": value}, clean_text(value, DIRECTORY_QUERY_LENGTH)),
            ("/merchants/", {"community": value, "category": value, "page": value}, None),
            ("/search/", {"page": value}, None),
            ("/search/", {"q": value}, clean_text(value, SEARCH_QUERY_LENGTH)),
            ("/news/", {"community": value, "tag": value, "page": value}, None),
            ("/notices/", {"kind": value, "archive": value, "page": value}, None),
            ("/honour-rolls/", {"page": value}, None),
        ]
        for path, query, shown in checks:
            try:
                response = client.get(path, query)
            except Exception as error:
                failures.append(f"[{label(value)}] {path} {sorted(query)}: {where(error)}")
                continue
            if response.status_code not in (200, 404):
                failures.append(f"[{label(value)}] {path} {sorted(query)}: {response.status_code}")
            elif shown and not shown_escaped(response.content.decode(), shown):
                failures.append(f"[{label(value)}] {path}: query not shown escaped")
        try:
            response = client.post("/track/", {"reference": value, "mobile_last4": value})
            if response.status_code != 200 or not shown_escaped(response.content.decode(), value):
                failures.append(f"[{label(value)}] /track/: {response.status_code} or value not kept escaped")
            response = client.get("/track/" + urllib.parse.quote(value, safe="") + "/")
            if response.status_code not in (302, 404):
                failures.append(f"[{label(value)}] /track/<reference>/: {response.status_code}")
        except Exception as error:
            failures.append(f"[{label(value)}] /track/: {where(error)}")
    assert not failures, "\n".join(failures[:30])
