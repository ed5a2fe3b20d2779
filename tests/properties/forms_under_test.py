"""Every public form under test: how to build it, a valid baseline, its free-text fields and how
each free-text value is normalised when accepted (what "stored as given" means for that field).

Normalisation the forms document and do:
- every CharField strips leading/trailing whitespace (Django's default `strip=True`);
- mobile numbers: NFKC (full-width digits), spaces, hyphens, brackets and +86/0086 removed;
- credit codes: NFKC, upper case, spaces and hyphens removed;
- track reference: NFKC, upper case, spaces removed; last four digits: NFKC;
- an anonymous grievance contact drops name, mobile and email.
Nothing else is changed: markup, emoji, RTL and zero-width characters are kept as typed.
"""

import unicodedata

from django import forms as django_forms
from django.core.exceptions import NON_FIELD_ERRORS
from hypothesis import strategies as st
from hypothesis.extra.django import from_field, register_field_strategy

from alliance.fields import MobileField
from alliance.models import Community
from alliance.validators import normalise_credit_code, normalise_mobile
from casework.models import CaseCategory, GrievanceReport
from forms.apply import forms as apply
from forms.fields import UNSURE, CommunityChoiceField, CommunityStep, PhotoField
from forms.models import Convention
from forms.report import forms as report
from tests import factories as f

from .checks import CJK, CONTACT_PERSON
from .hostile import HOSTILE


def nth_pk(model, index):
    """The pk of the index-th row (wrapping), read when the example runs, so it fits this test's rows."""
    pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
    return pks[index % len(pks)] if pks else ""


def choice_or_junk(model):
    """A real choice most of the time, otherwise empty, a missing pk or text."""
    return st.one_of(
        st.integers(0, 20).map(lambda i: nth_pk(model, i)),
        st.integers(0, 20).map(lambda i: nth_pk(model, i)),
        st.just(""),
        st.integers(-5, 10**12),
        st.text(max_size=12),
        st.sampled_from(HOSTILE),
    )


# The custom ModelChoiceField subclasses are not in hypothesis' lookup (it matches exact types).
register_field_strategy(report.CategoryChoiceField, choice_or_junk(CaseCategory))
register_field_strategy(CommunityChoiceField, choice_or_junk(Community))
# Our photo field is a FileField that re-encodes: the same arbitrary bytes as Django's FileField get.
register_field_strategy(PhotoField, from_field(django_forms.FileField()))
register_field_strategy(MobileField, st.text())


def text_for(field):
    """What hypothesis infers for the field, any text, and the hostile corpus."""
    return st.one_of(from_field(field), st.text(), st.sampled_from(HOSTILE))


MOBILES = st.one_of(
    st.from_regex(r"\A1[3-9][0-9]{9}\Z"),
    st.sampled_from(
        ["138 1234 5678", "+86 139-0000-1111", "0086 13900001111", "(138)12345678", "１３８１２３４５６７８"]
    ),
    st.text(max_size=25),
    st.sampled_from(HOSTILE),
)
CODE = f.valid_credit_code()
CREDIT_CODES = st.one_of(
    st.sampled_from([CODE, CODE.lower(), CODE[:9] + " " + CODE[9:], "-".join([CODE[:6], CODE[6:]])]),
    st.just(unicodedata.normalize("NFKC", CODE).translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXYIOZSV -", min_size=16, max_size=20),
    st.text(max_size=45),
    st.sampled_from(HOSTILE),
)


def strip(value):
    return value.strip()


def nfkc_reference(value):
    return unicodedata.normalize("NFKC", value.strip()).strip().upper().replace(" ", "")


def nfkc_digits(value):
    return unicodedata.normalize("NFKC", value.strip()).strip()


def mobile(value):
    return normalise_mobile(value.strip())


def credit_code(value):
    return normalise_credit_code(value.strip())


class Spec:
    """One form: build(world) -> (form class, form kwargs, field strategies, {field: normalise})."""

    def __init__(self, name, form_class, texts, kwargs=None, strategies=None, baseline=None, files=()):
        self.name = name
        self.form_class = form_class
        self.texts = texts  # free-text field -> normalisation
        self.kwargs = kwargs or (lambda world: {})
        self.strategies = strategies or (lambda world, fields: {})
        self.baseline = baseline or (lambda world: {})
        self.files = files

    def form_class_for(self, world):
        return self.form_class(world) if self.name == "questionnaire" else self.form_class


def _place(world):
    return {"area": UNSURE}


def area_or_junk(world):
    """A street or building of the community (or 不清楚) most of the time, else one of another
    community, empty, a missing pk, any text or the hostile corpus."""
    return st.one_of(
        st.sampled_from([UNSURE, str(world["area"].pk)]),
        st.sampled_from([UNSURE, str(world["area"].pk)]),
        st.just(str(world["other_area"].pk)),
        st.just(""),
        st.integers(-5, 10**12).map(str),
        st.text(max_size=12),
        st.sampled_from(HOSTILE),
    )


def _place_strategies(world, fields):
    return {"area": area_or_junk(world)}


def _in_community(world):
    return {"community": world["community"]}


def _questionnaire_class(world):
    return world["questionnaire"].get_form_class()


def _questionnaire_kwargs(world):
    return {"page": world["questionnaire"], "user": None}


def _questionnaire_fields(world):
    return {field.clean_name: field for field in world["questionnaire"].form_fields.all()}


def _questionnaire_answers(world, **by_label):
    return {
        field.clean_name: by_label[field.label]
        for field in _questionnaire_fields(world).values()
        if field.label in by_label
    }


SPECS = [
    Spec(
        "report.category",
        report.CategoryStep,
        {},
        baseline=lambda w: {"category": CaseCategory.objects.first().pk},
    ),
    Spec(
        "report.community",
        CommunityStep,
        {},
        baseline=lambda w: {"community": w["community"].pk},
    ),
    Spec(
        "report.location",
        report.LocationStep,
        {"address": strip},
        kwargs=_in_community,
        strategies=_place_strategies,
        baseline=lambda w: {**_place(w), "address": "解放路 18 号"},
        files=report.LocationStep.photo_fields,
    ),
    Spec(
        "report.details",
        report.DetailsStep,
        {"description": strip, "since": strip},
        baseline=lambda w: {"description": "饭店排烟管正对三楼窗户", "since": "上个月", "frequency": "daily"},
    ),
    Spec(
        "report.contact",
        report.ReporterStep,
        {"name": strip, "mobile": mobile, "email": strip},
        strategies=lambda w, fields: {"mobile": MOBILES},
        baseline=lambda w: {"name": "王秀兰", "mobile": "13812345678", "consent": "on"},
    ),
    Spec("report.review", report.ReportReviewStep, {}, baseline=lambda w: {"confirm": "on"}),
    Spec(
        "apply.community",
        apply.ShopCommunityStep,
        {},
        baseline=lambda w: {"community": w["community"].pk},
    ),
    Spec(
        "apply.shop",
        apply.ShopStep,
        {"shop_name": strip, "address": strip, "credit_code": credit_code},
        kwargs=_in_community,
        strategies=lambda w, fields: {**_place_strategies(w, fields), "credit_code": CREDIT_CODES},
        baseline=lambda w: {
            **_place(w),
            "shop_name": "老王面馆",
            "category": "restaurant",
            "address": "解放路 18 号",
            "credit_code": CODE,
        },
    ),
    Spec(
        "apply.contact",
        apply.ApplicantStep,
        {"contact_person": strip, "mobile": mobile, "email": strip},
        strategies=lambda w, fields: {"mobile": MOBILES},
        baseline=lambda w: {"contact_person": CONTACT_PERSON, "mobile": "13900001111", "consent": "on"},
    ),
    Spec(
        "apply.offers",
        apply.OffersStep,
        {"offers": strip, "opening_hours": strip},
        baseline=lambda w: {"offers": "每月 18 日九折", "opening_hours": "7:00—21:00"},
    ),
    Spec("apply.photos", apply.PhotosStep, {}, files=apply.PhotosStep.photo_fields),
    Spec(
        "apply.convention",
        apply.ConventionStep,
        {"signed_name": strip},
        kwargs=lambda w: {"contact_person": CONTACT_PERSON},
        strategies=lambda w, fields: {
            "convention": choice_or_junk(Convention),
            "signed_name": st.one_of(
                st.sampled_from([CONTACT_PERSON, f" {CONTACT_PERSON} ", "王 建 国", "王\u3000建国"]),
                text_for(fields["signed_name"]),
            ),
        },
        baseline=lambda w: {"convention": w["convention"].pk, "agree": "on", "signed_name": CONTACT_PERSON},
    ),
    Spec("apply.review", apply.ApplicationReviewStep, {}, baseline=lambda w: {"confirm": "on"}),
    Spec(
        "track",
        report.TrackForm,
        {"reference": nfkc_reference, "mobile_last4": nfkc_digits},
        strategies=lambda w, fields: {
            "reference": st.one_of(
                st.sampled_from(["SJ-20261122-0042", "sj-20261122-0042 ", "ＳＪ－２０２６１１２２－００４２"]),
                text_for(fields["reference"]),
            ),
            "mobile_last4": st.one_of(
                st.from_regex(r"\A[0-9]{4}\Z"),
                st.sampled_from(["１２３４", " 5678 "]),
                text_for(fields["mobile_last4"]),
            ),
        },
        baseline=lambda w: {"reference": "SJ-20261122-0042", "mobile_last4": "5678"},
    ),
    Spec(
        "rating",
        report.RatingForm,
        {"comment": strip},
        baseline=lambda w: {"rating": GrievanceReport.Rating.UNSATISFIED, "comment": "油烟还是很大"},
    ),
    Spec(
        "amend",
        apply.AmendForm,
        {
            "shop_name": strip,
            "address": strip,
            "credit_code": credit_code,
            "contact_person": strip,
            "mobile": mobile,
            "email": strip,
            "offers": strip,
            "opening_hours": strip,
        },
        kwargs=lambda w: {"application": w["application"]},
        strategies=lambda w, fields: {
            **_place_strategies(w, fields),
            "community": choice_or_junk(Community),
            "credit_code": CREDIT_CODES,
            "mobile": MOBILES,
        },
        baseline=lambda w: {
            **_place(w),
            "community": w["community"].pk,
            "shop_name": "老王面馆",
            "category": "restaurant",
            "address": "解放路 18 号",
            "credit_code": CODE,
            "contact_person": CONTACT_PERSON,
            "mobile": "13900001111",
            "offers": "九折",
            "opening_hours": "7:00—21:00",
        },
        files=apply.PhotosStep.photo_fields,
    ),
    Spec(
        "questionnaire",
        _questionnaire_class,
        None,  # set from the page's fields in texts_for()
        kwargs=_questionnaire_kwargs,
        baseline=lambda w: _questionnaire_answers(
            w, 您住在哪个小区="幸福里", 最希望改善的是="路灯", 方便的时间=["上午"]
        ),
    ),
]
SPEC_BY_NAME = {spec.name: spec for spec in SPECS}


def texts_for(spec, world):
    """Free-text fields of the spec in this world (the questionnaire's come from its page)."""
    if spec.texts is not None:
        return spec.texts
    fields = _questionnaire_fields(world)
    return {name: strip for name, field in fields.items() if field.field_type in ("singleline", "multiline", "email")}


def build(spec, world, data, files=None):
    return spec.form_class_for(world)(data=data, files=files or {}, **spec.kwargs(world))


def error_problems(form):
    """What is wrong with the form's errors: not on a field, or not in Chinese."""
    problems = []
    for name, messages in form.errors.items():
        if name != NON_FIELD_ERRORS and name not in form.fields:
            problems.append(f"error on unknown field {name!r}")
        for message in messages:
            if not CJK.search(str(message)):
                problems.append(f"{name}: message without Chinese: {message!r}")
    return problems


def expected_clean(spec, world, form, name, raw):
    """The cleaned value a valid form must hold for the raw free-text value."""
    if spec.name == "report.contact" and form.cleaned_data.get("anonymous"):
        return ""
    return texts_for(spec, world)[name](raw)
