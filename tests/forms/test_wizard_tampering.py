"""Both public wizards (forms/wizard.py) against a tampered management step and long file names.

A tampered `<prefix>-current_step` (or `wizard_goto_step`) is answered with the step the browser is
really at and a plain message: never a 500, never a step not yet reached, nothing stored, the log
holding at most a short escaped excerpt. A photo whose file name is too long for the disk is kept
under a shortened name, extension and all, in every upload field.
"""

import logging

import pytest
from django.core.files.base import ContentFile
from django.utils.module_loading import import_string

from casework.models import CaseCategory, CasePhoto, GrievanceReport
from forms.models import ApplicationPhoto, MerchantApplication
from portal.settings import base
from tests import factories as f
from tests import wizard_driver as driver
from tests.wizard_driver import APPLY, REPORT, jpeg_bytes

pytestmark = pytest.mark.django_db

REFUSED = "页面上的步骤信息有误"
LONG = "步" * 3000 + "x" * 5000
CODE = f.valid_credit_code()


@pytest.fixture
def place(place):
    f.convention()  # /apply/ opens only with a published convention
    return place


def first_steps(wizard, place):
    """The wizard's steps as a resident fills them in."""
    if wizard is REPORT:
        return driver.report_steps(place, category=CaseCategory.objects.get(slug="cooking_fumes"))
    steps = driver.apply_steps(place, credit_code=CODE, convention=None)
    return steps


def started(client, wizard, place):
    """A wizard whose first two steps are done (the second is the community): the browser is at
    step 3, the first with typed text. Returns the submission key."""
    key = driver.key_of(client, wizard)
    for step in first_steps(wizard, place)[:2]:
        response = driver.post_step(client, wizard, step.name, step.fields, key, step.photos)
    assert response.status_code == 200 and "第 3 步" in response.content.decode()
    return key


def other(wizard):
    return APPLY if wizard is REPORT else REPORT


TAMPERED = {
    "bogus": lambda wizard: "bogus",
    "empty": lambda wizard: "",
    "nul byte": lambda wizard: "location\x00",
    "very long": lambda wizard: LONG,
    "other wizard's step": lambda wizard: "photos" if wizard is REPORT else "details",
    "not yet reached": lambda wizard: "review",
    "unicode": lambda wizard: "第二步🙂\u202e",
}


def assert_refused_at_step_3(response):
    text = response.content.decode()
    assert response.status_code == 400, text[:500]
    assert REFUSED in text and "第 3 步" in text
    assert 'name="submission_key"' in text  # the form to go on with, not an error page


def stored_nothing():
    return not GrievanceReport.objects.exists() and not MerchantApplication.objects.exists()


@pytest.mark.parametrize("wizard", [REPORT, APPLY], ids=["report", "apply"])
@pytest.mark.parametrize("tampered", TAMPERED)
def test_a_tampered_current_step_is_refused_plainly_and_the_wizard_goes_on(client, place, wizard, tampered, caplog):
    key = started(client, wizard, place)
    steps = first_steps(wizard, place)
    value = TAMPERED[tampered](wizard)
    data = {**driver.payload(wizard, steps[2].name, steps[2].fields, key), f"{wizard.prefix}-current_step": value}
    if value == "review":
        data.update({"review-confirm": "on"})

    with caplog.at_level(logging.INFO):
        response = client.post(wizard.url, data)

    assert_refused_at_step_3(response)
    typed = "解放路 18 号" if wizard is REPORT else "王建国"
    assert typed in response.content.decode()  # what was typed on step 3 is still there
    assert stored_nothing()
    for record in caplog.records:
        message = record.getMessage()
        assert len(message) < 300 and "\x00" not in message and "\u202e" not in message, message[:300]
    # The session is as it was: a reload shows step 3, and step 3 posted properly goes on to step 4.
    assert "第 3 步" in client.get(wizard.url).content.decode()
    response = driver.post_step(client, wizard, steps[2].name, steps[2].fields, key, steps[2].photos)
    assert response.status_code == 200 and "第 4 步" in response.content.decode()


@pytest.mark.parametrize("wizard", [REPORT, APPLY], ids=["report", "apply"])
def test_a_post_without_the_management_step_is_refused_plainly(client, place, wizard):
    key = started(client, wizard, place)
    step = first_steps(wizard, place)[2]
    data = driver.payload(wizard, step.name, step.fields, key)
    del data[f"{wizard.prefix}-current_step"]
    assert_refused_at_step_3(client.post(wizard.url, data))


def test_a_post_with_too_many_fields_gets_a_chinese_page_not_a_500(client, place):
    key = started(client, REPORT, place)
    data = {f"x{n}": "1" for n in range(3000)}  # past DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = client.post(REPORT.url, {**data, "submission_key": key})
    text = response.content.decode()
    assert response.status_code == 400 and "请求无法处理" in text and "Bad Request" not in text


@pytest.mark.parametrize("wizard", [REPORT, APPLY], ids=["report", "apply"])
@pytest.mark.parametrize("target", ["review", "bogus", LONG])
def test_going_to_a_step_not_yet_reached_is_refused(client, place, wizard, target):
    key = started(client, wizard, place)
    response = client.post(
        wizard.url,
        {
            f"{wizard.prefix}-current_step": first_steps(wizard, place)[2].name,
            "submission_key": key,
            "wizard_goto_step": target,
        },
    )
    assert_refused_at_step_3(response)
    assert "第 3 步" in client.get(wizard.url).content.decode()


@pytest.mark.parametrize("wizard", [REPORT, APPLY], ids=["report", "apply"])
def test_back_and_a_stale_page_of_a_step_already_reached_still_work(client, place, wizard):
    key = driver.key_of(client, wizard)
    steps = first_steps(wizard, place)
    for step in steps[:3]:
        driver.post_step(client, wizard, step.name, step.fields, key, step.photos)
    back = client.post(
        wizard.url,
        {f"{wizard.prefix}-current_step": steps[3].name, "submission_key": key, "wizard_goto_step": steps[0].name},
    )
    assert back.status_code == 200 and "第 1 步" in back.content.decode()
    # The page of step 3, still open in another tab, is posted: it was reached, so it is accepted.
    stale = driver.post_step(client, wizard, steps[2].name, steps[2].fields, key, steps[2].photos)
    assert stale.status_code == 200 and "第 4 步" in stale.content.decode()


# --- long file names -------------------------------------------------------------------------


@pytest.fixture
def disk_storages(settings, tmp_path):
    """The wizard's and the cases' files on a real disk, as in production (a name has a byte limit)."""
    settings.STORAGES = {
        **settings.STORAGES,
        **{
            name: {**base.STORAGES[name], "OPTIONS": {"location": tmp_path / name, "base_url": None}}
            for name in ("private", "wizard_uploads")
        },
    }
    return tmp_path


LONG_NAMES = {
    "ascii": "a" * 251 + ".jpg",  # 255 bytes: at the limit, plus the suffix storage may add
    "256 bytes": "b" * 252 + ".jpg",
    "chinese": "门头照片" * 30 + ".jpeg",  # 120 characters, 365 bytes
    "no extension": "照" * 200,
    "long extension": "photo." + "j" * 300,
}


@pytest.mark.parametrize("name", LONG_NAMES)
def test_a_report_photo_with_a_very_long_file_name_is_kept(client, place, disk_storages, name):
    key = driver.key_of(client, REPORT)
    steps = driver.report_steps(
        place, category=CaseCategory.objects.get(slug="cooking_fumes"), photo=(LONG_NAMES[name], jpeg_bytes())
    )
    for step in steps[:-1]:
        response = driver.post_step(client, REPORT, step.name, step.fields, key, step.photos)
        assert response.status_code == 200, response.content.decode()[:300]
    done = driver.post_step(client, REPORT, "review", {"confirm": "on"}, key)
    assert done.status_code == 302 and done["Location"] == REPORT.thanks
    photo = CasePhoto.objects.get()
    assert photo.file.name.endswith(".jpg") and len(photo.file.name.encode()) < 200


@pytest.mark.parametrize("name", LONG_NAMES)
def test_application_photos_with_very_long_file_names_are_kept(client, place, disk_storages, name):
    key = driver.key_of(client, APPLY)
    photos = {"shop_front": (LONG_NAMES[name], jpeg_bytes(color="red")), "licence": (LONG_NAMES[name], jpeg_bytes())}
    steps = driver.apply_steps(place, credit_code=CODE, convention=None, photos=photos)
    for step in steps[:5]:
        response = driver.post_step(client, APPLY, step.name, step.fields, key, step.photos)
        assert response.status_code == 200, response.content.decode()[:300]
    convention = client.get(APPLY.url).context["convention"]
    driver.post_step(client, APPLY, "convention", {**steps[5].fields, "convention": convention.pk}, key)
    done = driver.post_step(client, APPLY, "review", {"confirm": "on"}, key)
    assert done.status_code == 302 and done["Location"] == APPLY.thanks
    assert ApplicationPhoto.objects.count() == 2


@pytest.mark.parametrize("alias", ["default", "private", "wizard_uploads"])
def test_every_disk_storage_shortens_long_names_by_bytes_and_keeps_the_extension(tmp_path, alias):
    storage = import_string(base.STORAGES[alias]["BACKEND"])(location=tmp_path)
    for name in LONG_NAMES.values():
        saved = storage.save(f"folder/{name}", ContentFile(b"x"))
        assert saved.startswith("folder/") and len(saved.encode()) <= 120, saved
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        if len(extension) <= 10:
            assert saved.endswith(f".{extension}" if extension else saved[-1])
        assert storage.open(saved).read() == b"x"
        again = storage.save(f"folder/{name}", ContentFile(b"y"))  # the same name twice: another file
        assert again != saved and storage.open(again).read() == b"y"
