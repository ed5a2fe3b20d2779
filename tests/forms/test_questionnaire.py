"""线上问卷: a form-builder page residents fill in; answers listed and exported in the admin."""

import pytest
from wagtail.contrib.forms.models import FormSubmission

from forms.models import QuestionnaireField, QuestionnairePage
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(home):
    page = QuestionnairePage(
        title="解放路改造，请您提建议",
        slug="jiefang-road-survey",
        intro="<p>解放路明年改造，欢迎居民和商户提出建议。</p>",
        thank_you_text="<p>谢谢您的建议，我们会在月月谈上逐条讨论。</p>",
    )
    page.form_fields = [
        QuestionnaireField(label="您住在哪个小区", field_type="singleline", required=True, sort_order=0),
        QuestionnaireField(
            label="最希望改善的是", field_type="radio", choices="停车\n路灯\n绿化", required=True, sort_order=1
        ),
        QuestionnaireField(label="其他建议", field_type="multiline", required=False, sort_order=2),
    ]
    return f.add_page(home, page)


def answers(page, **values):
    fields = {field.label: field.clean_name for field in page.form_fields.all()}
    return {fields[label]: value for label, value in values.items()}


def test_page_with_fields_renders(client, questionnaire):
    response = client.get(questionnaire.url)
    text = response.content.decode()
    assert response.status_code == 200
    assert "解放路明年改造" in text and "您住在哪个小区" in text and "路灯" in text


def test_missing_required_answer_is_shown_next_to_field(client, questionnaire):
    response = client.post(questionnaire.url, answers(questionnaire, 其他建议="多装路灯"))
    text = response.content.decode()
    assert "请修改以下内容后再提交" in text and "多装路灯" in text
    assert not FormSubmission.objects.exists()


def test_submission_is_stored_and_thanked(client, questionnaire):
    data = answers(questionnaire, 您住在哪个小区="幸福里", 最希望改善的是="路灯", 其他建议="晚上太黑")
    response = client.post(questionnaire.url, data)
    assert response.status_code == 200 and "谢谢您的建议" in response.content.decode()
    submission = FormSubmission.objects.get(page=questionnaire)
    assert "幸福里" in str(submission.form_data.values()) and "晚上太黑" in str(submission.form_data.values())


def test_submissions_are_listed_and_exportable_in_the_admin(client, admin_client, questionnaire):
    client.post(questionnaire.url, answers(questionnaire, 您住在哪个小区="幸福里", 最希望改善的是="停车"))
    listing = admin_client.get(f"/admin/forms/submissions/{questionnaire.pk}/")
    assert listing.status_code == 200 and "幸福里" in listing.content.decode()
    export = admin_client.get(f"/admin/forms/submissions/{questionnaire.pk}/?export=csv")
    assert export.status_code == 200
    content = b"".join(export.streaming_content) if export.streaming else export.content
    assert "幸福里" in content.decode("utf-8-sig") and "停车" in content.decode("utf-8-sig")


def test_questionnaire_can_live_under_the_home_page_only_as_a_leaf(questionnaire):
    assert QuestionnairePage.can_exist_under(f.home_page())
    assert QuestionnairePage.subpage_types == []
