"""What got in residents' way in both wizards (issue 10): Enter went back a step, tracking could not
be found again, no emergency numbers, raw codes on the review and staff pages, a restart link that
wiped without asking. Each test reads the page as the resident or staff member would."""

import re

import pytest

from casework.models import CaseCategory, GrievanceReport
from tests import factories as f
from tests import wizard_driver as driver
from tests.wizard_driver import APPLY, REPORT, UNSURE, key_of

pytestmark = pytest.mark.django_db
FORM = re.compile(r'<form method="post" enctype="multipart/form-data".*?</form>', re.S)
BUTTON = re.compile(r"<button [^>]*>")


def submit_buttons(html):
    """The submit buttons of the wizard's form, in document order."""
    return [b for b in BUTTON.findall(FORM.search(html).group()) if 'type="submit"' in b]


@pytest.mark.parametrize("wizard", [REPORT, APPLY], ids=["report", "apply"])
def test_enter_in_a_field_means_next_not_back(client, place, wizard):
    # Browsers submit a form by Enter with its first submit button: it must be 下一步, not 上一步.
    f.convention()  # /apply/ opens only with a convention to sign
    key = key_of(client, wizard)
    first_step = "category" if wizard is REPORT else "community"
    fields = {"category": CaseCategory.objects.first().pk} if wizard is REPORT else {"community": place["community"].pk}
    page = driver.post_step(client, wizard, first_step, fields, key)
    assert "第 2 步" in page.content.decode()
    buttons = submit_buttons(page.content.decode())
    assert len(buttons) == 2
    assert "wizard_goto_step" not in buttons[0] and 'class="primary"' in buttons[0]
    assert 'name="wizard_goto_step"' in buttons[1]


def test_tracking_is_linked_from_home_report_and_footer(client, home):
    for url in ("/", "/report/", "/merchants/"):
        html = client.get(url).content.decode()
        assert html.count('href="/track/"') >= (2 if url != "/merchants/" else 1), url
    assert "查询办理进度" in client.get("/").content.decode()


def test_emergency_numbers_before_step_one_and_again_for_safety(client, place):
    first = client.get("/report/").content.decode()
    assert 'href="tel:119"' in first and 'href="tel:110"' in first and 'href="tel:120"' in first
    assert "正在发生危险请直接拨打 119" in first  # beside 安全隐患 in the list
    key = key_of(client)
    noise = driver.post_step(client, REPORT, "category", {"category": CaseCategory.objects.get(slug="noise").pk}, key)
    assert 'href="tel:119"' not in noise.content.decode()
    driver.post_step(client, REPORT, "community", {}, key, extra={"wizard_goto_step": "category"})
    safety = driver.post_step(client, REPORT, "category", {"category": CaseCategory.objects.get(slug="safety").pk}, key)
    assert "第 2 步" in safety.content.decode() and 'href="tel:119"' in safety.content.decode()


def test_frequency_reads_as_words_on_review_and_for_staff(client, place):
    key = key_of(client)
    steps = driver.report_steps(place, category=CaseCategory.objects.get(slug="noise"))
    next(step for step in steps if step.name == "details").fields["frequency"] = "daily"
    for step in steps[:-1]:
        response = driver.post_step(client, REPORT, step.name, step.fields, key, step.photos)
    review = response.content.decode()
    assert "发生频率：几乎每天" in review and "daily" not in review.replace('value="daily"', "")
    driver.post_step(client, REPORT, "review", {"confirm": "on"}, key)
    report = GrievanceReport.objects.get()
    assert report.frequency == "daily"
    moderator = f.community_moderator(place["community"])
    client.force_login(moderator)
    staff = client.get(f"/admin/cases/{report.pk}/").content.decode()
    assert "几乎每天" in staff and ">daily<" not in staff


def test_a_photo_survives_an_error_on_its_step_and_the_page_says_so(client, place):
    key = key_of(client)
    driver.post_step(client, REPORT, "category", {"category": CaseCategory.objects.get(slug="noise").pk}, key)
    driver.post_step(client, REPORT, "community", {"community": place["community"].pk}, key)
    place_fields = {"area": UNSURE}
    photo = {"photo_1": ("门口.jpg", driver.jpeg_bytes())}
    wrong = driver.post_step(client, REPORT, "location", {**place_fields, "address": ""}, key, photo)
    text = wrong.content.decode()
    assert "请填写具体地点。" in text and "已保存照片：照片 1，不用重新选择" in text
    fixed = driver.post_step(client, REPORT, "location", {**place_fields, "address": "解放路 18 号"}, key)
    assert "第 4 步" in fixed.content.decode()
    steps = driver.report_steps(place, category=CaseCategory.objects.get(slug="noise"))
    for step in steps[3:]:
        done = driver.post_step(client, REPORT, step.name, step.fields, key)
    assert done.status_code == 302
    assert GrievanceReport.objects.get().photos.count() == 1


def test_back_keeps_a_photo_chosen_on_the_step_left(client, place):
    key = key_of(client)
    driver.post_step(client, REPORT, "category", {"category": CaseCategory.objects.get(slug="noise").pk}, key)
    community = {"community": place["community"].pk}
    driver.post_step(client, REPORT, "community", community, key)
    photo = {"photo_2": ("楼道.png", driver.jpeg_bytes())}
    driver.post_step(
        client, REPORT, "location", {"address": "解放路"}, key, photo, extra={"wizard_goto_step": "community"}
    )
    again = driver.post_step(client, REPORT, "community", community, key)
    assert "已保存照片：照片 2" in again.content.decode()


def test_a_bad_licence_photo_does_not_drop_the_good_shop_front(client, place):
    f.convention()
    key = key_of(client, APPLY)
    steps = driver.apply_steps(place, credit_code=f.valid_credit_code(), convention=None)
    for step in steps[:4]:
        driver.post_step(client, APPLY, step.name, step.fields, key)
    photos = {"shop_front": ("门头.jpg", driver.jpeg_bytes()), "licence": ("执照.jpg", b"not a picture at all")}
    wrong = driver.post_step(client, APPLY, "photos", {}, key, photos)
    text = wrong.content.decode()
    assert "第 5 步" in text and "已保存照片：门头照片" in text and "营业执照照片" in text
    assert "第 6 步" in driver.post_step(client, APPLY, "photos", {}, key).content.decode()
