"""One small world per test (places, a convention, published pages), built once and shared by
every hypothesis example of that test, so examples cost a form validation or a request only."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from hypothesis import HealthCheck, settings
from PIL import Image

from forms.models import QuestionnaireField, QuestionnairePage
from tests import factories as f

# Reproducible in CI: no example database, a fixed seed; the issue asks for >= 200 examples.
settings.register_profile(
    "properties",
    max_examples=200,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROPERTY_SETTINGS = settings.get_profile("properties")

CJK = re.compile(r"[\u4e00-\u9fff]")
CONTACT_PERSON = "王建国"


def jpeg(name="门头.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "red").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def shown_escaped(text, value):
    """The value appears HTML-escaped, and a tag in it never appears raw."""
    if escape(value) not in text:
        return False
    return not (re.search(r"<[a-zA-Z/]", value) and len(value) >= 8 and value in text)


def make_questionnaire(home):
    page = QuestionnairePage(title="解放路改造，请您提建议", slug="survey")
    page.form_fields = [
        QuestionnaireField(label="您住在哪个小区", field_type="singleline", required=True, sort_order=0),
        QuestionnaireField(label="其他建议", field_type="multiline", required=False, sort_order=1),
        QuestionnaireField(label="电子邮箱", field_type="email", required=False, sort_order=2),
        QuestionnaireField(label="家里几口人", field_type="number", required=False, sort_order=3),
        QuestionnaireField(label="最希望改善的是", field_type="radio", choices="停车\n路灯\n绿化", sort_order=4),
        QuestionnaireField(label="方便的时间", field_type="checkboxes", choices="上午\n下午", sort_order=5),
        QuestionnaireField(label="来访日期", field_type="date", required=False, sort_order=6),
    ]
    return f._add(home, page)


@pytest.fixture
def places(db):
    """What the forms refer to: two communities with a grid each, a convention, a member shop and
    an application waiting for more information."""
    community = f.community(name="东门社区", slug="dongmen")
    grid = f.grid(community, name="第一网格")
    other = f.community(name="西门社区", slug="ximen")
    convention = f.convention()
    return {
        "community": community,
        "grid": grid,
        "other": other,
        "other_grid": f.grid(other, name="第二网格"),
        "convention": convention,
        "member": f.merchant(name="老王面馆", community_=community),
        "application": f.application(grid_=grid, state="more_info", link_secret="amend-secret"),
    }


@pytest.fixture
def world(places, home):
    """places plus one published page of each public kind and a questionnaire."""
    member = places["member"]
    return {
        **places,
        "news": f.news(title="解放路集市开张", tags=["集市"], community=places["community"]),
        "notice": f.notice(title="每月18日便民集市"),
        "roll": f.honour_roll(honours=[(member, "civilised", "诚信经营")]),
        "questionnaire": make_questionnaire(home),
    }
