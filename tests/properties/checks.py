"""What the property and hostile-input tests share: hypothesis' profile, the checks of what a page
shows, a small photo and a questionnaire page."""

import io
import re

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
    return f.add_page(home, page)
