"""The grievance wizard at /report/ as a resident walks it: steps, Back, reload, errors, done."""

import json
import re

import pytest
from django.test import Client
from PIL import Image

from casework.models import CaseCategory, CasePhoto, GrievanceReport
from forms import fields
from tests import wizard_driver as driver
from tests.wizard_driver import REPORT, UNSURE, jpeg_bytes, key_of

pytestmark = pytest.mark.django_db
PREFIX = REPORT.prefix


def post(client, step, data, key, photos=None):
    return driver.post_step(client, REPORT, step, data, key, photos)


def to_location(client, place, key, category=None):
    """Steps 1 and 2 (category, community): the location step is next."""
    post(client, "category", {"category": (category or CaseCategory.objects.first()).pk}, key)
    return post(client, "community", {"community": place["community"].pk}, key)


def walk(client, place, key, contact=None, photo=True):
    category = CaseCategory.objects.get(slug="cooking_fumes")
    return driver.walk_report(client, place, key, category=category, contact=contact, photo=photo)


def test_first_step_shows_progress_and_categories(client, place):
    response = client.get("/report/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "第 1 步，共 6 步" in text and "油烟扰民" in text and "饭店排烟" in text


def test_full_walk_creates_one_report_with_photo_and_shows_reference(client, place):
    key = key_of(client)
    response = walk(client, place, key)
    assert response.status_code == 302 and response["Location"] == "/report/thanks/"
    report = GrievanceReport.objects.get()
    assert report.reporter_mobile == "13812345678" and report.grid == place["grid"]
    assert report.accept_due > report.created_at and report.resolve_due > report.accept_due
    photo = CasePhoto.objects.get(report=report)
    assert photo.file.name.endswith(".jpg") and "门口" not in photo.file.name
    thanks = client.get("/report/thanks/").content.decode()
    assert report.reference in thanks and "/track/link/" in thanks
    assert "前受理" in thanks and "前办结" in thanks  # both deadlines, not only the acceptance one


def test_double_submit_makes_one_report(client, place):
    key = key_of(client)
    walk(client, place, key)
    again = post(client, "review", {"confirm": "on"}, key)
    assert again.status_code == 302 and again["Location"] == "/report/thanks/"
    assert GrievanceReport.objects.count() == 1


def test_errors_show_next_to_field_and_at_top_and_keep_input(client, place):
    key = key_of(client)
    to_location(client, place, key)
    response = post(client, "location", {"area": "", "address": "我家楼下"}, key)
    text = response.content.decode()
    assert "请修改以下内容后再继续" in text and text.count("请选择街巷或楼栋；不清楚请选“不清楚 / 列表里没有”。") == 2
    assert 'value="我家楼下"' in text


def test_back_keeps_what_was_typed_even_if_invalid(client, place):
    key = key_of(client)
    to_location(client, place, key)
    response = client.post(
        "/report/",
        {
            f"{PREFIX}-current_step": "location",
            "submission_key": key,
            "wizard_goto_step": "community",
            "location-address": "菜市场北门",
        },
    )
    assert "第 2 步" in response.content.decode()
    forward = client.get("/report/")  # reload shows the current step, not a restart
    assert "第 2 步" in forward.content.decode()
    response = post(client, "community", {"community": place["community"].pk}, key)
    assert "第 3 步" in response.content.decode() and 'value="菜市场北门"' in response.content.decode()


def test_reload_keeps_progress_and_restart_clears_it(client, place):
    key = key_of(client)
    post(client, "category", {"category": CaseCategory.objects.first().pk}, key)
    assert "第 2 步" in client.get("/report/").content.decode()
    confirm = client.get("/report/?restart=1")  # a link: it only asks, and wipes nothing
    assert "清空已填写的内容？" in confirm.content.decode()
    assert "第 2 步" in client.get("/report/").content.decode()
    wiped = client.post("/report/", {"wizard_restart": "1"})
    assert wiped.status_code == 302 and wiped["Location"] == "/report/"  # no ?restart left in the history
    assert "第 1 步" in client.get("/report/").content.decode()
    assert client.get("/report/?restart=1").status_code == 200  # nothing typed: no question asked


def test_expired_session_is_told_plainly(client, place):
    key = key_of(client)
    post(client, "category", {"category": CaseCategory.objects.first().pk}, key)
    client.cookies.clear()  # the session is gone
    response = post(client, "community", {"community": place["community"].pk}, key)
    text = response.content.decode()
    assert response.status_code == 400 and "您的填写已过期" in text and "请选择社区" not in text


def test_anonymous_report_keeps_no_contact(client, place):
    key = key_of(client)
    walk(client, place, key, contact={"anonymous": "on", "name": "李四", "mobile": "13900001111", "consent": "on"})
    report = GrievanceReport.objects.get()
    assert report.anonymous and report.reporter_name == "" and report.reporter_mobile == ""


@pytest.mark.parametrize(
    "contact,error",
    [
        ({"name": "王秀兰", "mobile": "12345", "consent": "on"}, "请输入有效的 11 位手机号码"),
        ({"name": "", "mobile": "13812345678", "consent": "on"}, "请填写姓名，或勾选“匿名反映”"),
        ({"name": "王秀兰", "mobile": "13812345678"}, "请勾选同意个人信息告知"),
        ({"name": "王秀兰", "mobile": "13812345678", "email": "不是邮箱", "consent": "on"}, "请输入有效的电子邮箱"),
    ],
)
def test_contact_errors_are_in_chinese_and_nothing_is_saved(client, place, contact, error):
    key = key_of(client)
    to_location(client, place, key, CaseCategory.objects.get(slug="noise"))
    post(client, "location", {"area": UNSURE, "address": "x 号"}, key)
    post(client, "details", {"description": "晚上十二点还很吵闹"}, key)
    response = post(client, "contact", contact, key)
    assert error in response.content.decode()
    assert not GrievanceReport.objects.exists()


def test_hostile_upload_gets_field_error(client, place):
    key = key_of(client)
    to_location(client, place, key)
    response = post(
        client,
        "location",
        {"area": UNSURE, "address": "解放路"},
        key,
        photos={"photo_1": ("photo.png", b"<svg onload=alert(1)></svg>")},
    )
    assert "照片" in response.content.decode() and "第 3 步" in response.content.decode()


def start_with_photo(place, key_client):
    client, key = key_client
    to_location(client, place, key, CaseCategory.objects.get(slug="noise"))
    post(
        client,
        "location",
        {"area": UNSURE, "address": "解放路 18 号"},
        key,
        photos={"photo_1": ("门口.jpg", jpeg_bytes())},
    )
    post(client, "details", {"description": "晚上十二点还很吵闹"}, key)
    post(client, "contact", {"name": "王秀兰", "mobile": "13812345678", "consent": "on"}, key)


def finish(client_key):
    client, key = client_key
    return post(client, "review", {"confirm": "on"}, key)


def test_finishing_a_wizard_never_touches_another_residents_pending_photo(place):
    """Three residents upload photos with the same file name; finishing one must not delete
    the temporary photo of another (a 500 on their last step, found by bench/wizard.py)."""
    residents = []
    for _ in range(3):
        client = Client()
        residents.append((client, key_of(client)))
    first, second, third = residents
    start_with_photo(place, first)  # holds the plain temporary name
    start_with_photo(place, second)  # gets a suffixed name
    assert finish(first).status_code == 302  # frees the plain name
    start_with_photo(place, third)  # takes the plain name again
    assert finish(second).status_code == 302
    response = finish(third)
    assert response.status_code == 302 and response["Location"] == "/report/thanks/"
    assert CasePhoto.objects.count() == 3


def test_the_private_link_carries_the_sites_address(place, real_site):
    client = Client(HTTP_HOST="10.1.2.3:8000")  # the office LAN, not the site's address
    walk(client, place, key_of(client))
    thanks = client.get("/report/thanks/").content.decode()
    assert re.search(r'href="https://shangju\.example\.cn/track/link/[\w-]+/"', thanks)
    assert "10.1.2.3" not in thanks


def test_the_thank_you_link_is_shown_but_its_secret_is_not_kept_in_the_session(client, place, settings):
    """The secret lives an hour in a cookie for the thank-you page only, never in the session store."""
    walk(client, place, key_of(client))
    thanks = client.get("/report/thanks/").content.decode()
    secret = re.search(r"/track/link/([\w-]+)/", thanks).group(1)
    report = GrievanceReport.objects.get()
    assert report.check_secret(secret)
    kept = json.dumps(dict(client.session.items()), default=str)
    assert secret not in kept and report.secret_hash not in kept
    cookie = next(c for c in client.cookies.values() if secret in str(c.value) or c["path"] == "/report/thanks/")
    assert cookie["path"] == "/report/thanks/" and cookie["httponly"]
    assert 0 < int(cookie["max-age"]) <= 3600
    # Reloading the thank-you page still shows the link (within the hour).
    assert f"/track/link/{secret}/" in client.get("/report/thanks/").content.decode()


def test_a_case_sent_through_the_wizard_came_online(client, place):
    walk(client, place, key_of(client))
    report = GrievanceReport.objects.get()
    assert report.channel == GrievanceReport.Channel.ONLINE and report.get_channel_display() == "网上"


# --- A photo is decoded and re-encoded once ---------------------------------------------------


@pytest.fixture
def sanitised(monkeypatch):
    """Counts the photos PhotoField decodes and re-encodes."""
    calls = []

    def counting(upload):
        calls.append(upload.name)
        return real(upload)

    real = fields.sanitise_image
    monkeypatch.setattr(fields, "sanitise_image", counting)
    return calls


def stored_photo(report):
    photo = CasePhoto.objects.get(report=report)
    with photo.file.open("rb") as handle, Image.open(handle) as image:
        return image.format, image.getexif()


def test_a_photo_is_decoded_once_although_every_step_is_validated_again(client, place, sanitised):
    """The review page and the final step validate every step again: the kept photo is the clean one."""
    key = key_of(client)
    response = walk(client, place, key, photo=("门口.jpg", jpeg_bytes(size=(640, 480))))
    assert response.status_code == 302 and response["Location"] == "/report/thanks/"
    assert sanitised == ["门口.jpg"]
    assert stored_photo(GrievanceReport.objects.get()) == ("JPEG", {})


def test_a_photo_kept_by_an_older_session_is_sanitised_again(client, place, sanitised):
    """A kept file is taken as clean only when the server-side session says we made it."""
    key = key_of(client)
    to_location(client, place, key)
    post(client, "location", {"area": UNSURE, "address": "解放路 18 号"}, key, {"photo_1": ("门口.jpg", jpeg_bytes())})
    session = client.session
    storage = session[f"wizard_{PREFIX}"]
    kept = storage["step_files"]["location"]["location-photo_1"]
    assert kept.pop("sanitised") is True  # as written before the mark existed
    session.save()
    post(client, "details", {"description": "饭店排烟管正对三楼窗户", "since": "上个月"}, key)
    post(client, "contact", {"name": "王秀兰", "mobile": "138 1234 5678", "consent": "on"}, key)
    done = post(client, "review", {"confirm": "on"}, key)
    assert done.status_code == 302 and done["Location"] == "/report/thanks/"
    assert len(sanitised) == 3  # on upload, again for the review page, again at the end
    assert stored_photo(GrievanceReport.objects.get()) == ("JPEG", {})


def test_a_posted_file_cannot_claim_to_be_sanitised(client, place, sanitised):
    """Nothing in a request reaches the mark: a polyglot posted at the end is still refused."""
    key = key_of(client)
    to_location(client, place, key)
    response = post(
        client,
        "location",
        {"area": UNSURE, "address": "解放路 18 号", "photo_1-sanitised": "1", "sanitised": "true"},
        key,
        {"photo_1": ("photo.jpg", b"<svg onload=alert(1)></svg>")},
    )
    assert response.status_code == 200 and "不是普通照片" in response.content.decode()
    assert sanitised == ["photo.jpg"]
