"""Every file of the corpus through the sanitiser and through the real /report/ photo step.

A file is either refused with a Chinese field error (and nothing is kept), or accepted and
stored re-encoded: JPEG or PNG, no EXIF (so no GPS), no ICC or comment, a random name.
The memory test runs the whole corpus in a fresh interpreter and reads its peak RSS.
"""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from casework.models import CaseCategory, CasePhoto, GrievanceReport
from portal.uploads import MAX_SIDE, sanitise_image
from tests import factories as f
from tests.wizard_driver import UNSURE

from .corpus import ACCEPT, CORPUS

pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")

ACCEPTED = [key for key, (_, _, expected) in CORPUS.items() if expected == ACCEPT]
REFUSED = [key for key in CORPUS if key not in ACCEPTED]
# Big decodes already covered by the sanitiser and memory tests; through the wizard they would
# only decode twice more (the step, then done() re-validates) and cost seconds each.
HEAVY = {"max-pixels", "zlib-bomb-within-limit", "zlib-bomb-over-limit", "wide-panorama", "thousand-frame-apng"}
RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png)$")
PREFIX = "report_wizard"
MEMORY_BOUND_MB = 300

_built = {}


def build(key):
    if key not in _built:
        name, builder, _ = CORPUS[key]
        _built[key] = (name, builder())
    return _built[key]


def has_cjk(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def assert_clean_image(data, key):
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.format in {"JPEG", "PNG"}, key
        assert image.mode in {"RGB", "RGBA"}, key
        assert max(image.size) <= MAX_SIDE, key
        assert not image.getexif(), f"{key}: EXIF survived"
        for block in ("exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp"):
            assert block not in image.info, f"{key}: {block} survived"
        return image.size


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 30 and len(ACCEPTED) >= 10 and len(REFUSED) >= 10


@pytest.mark.parametrize("key", CORPUS)
def test_sanitiser_refuses_or_reencodes(key):
    name, data = build(key)
    expected = CORPUS[key][2]
    if expected == ACCEPT:
        clean = sanitise_image(SimpleUploadedFile(name, data))
        assert RANDOM_NAME.match(clean.name), clean.name
        size = assert_clean_image(clean.read(), key)
        if key == "orientation-6":
            assert size == (100, 300)  # turned upright as the phone meant, then the tag dropped
    else:
        with pytest.raises(ValidationError) as excinfo:
            sanitise_image(SimpleUploadedFile(name, data))
        assert excinfo.value.code in expected, (key, excinfo.value.code)
        assert has_cjk(excinfo.value.messages[0])


def test_gps_exif_really_was_in_the_input():
    """Guards the corpus itself: the GPS cases carry a GPS IFD before sanitising."""
    for key in ("gps-jpeg", "gps-icc-comment-jpeg", "gps-webp", "gps-png-exif-chunk"):
        with Image.open(io.BytesIO(build(key)[1])) as image:
            assert image.getexif().get_ifd(0x8825), key


# --- the real wizard step -------------------------------------------------------------


@pytest.fixture
def place(db):
    community = f.community(name="东门社区", slug="dongmen-corpus")
    return {"community": community, "grid": f.grid(community, name="第一网格")}


def post(client, step, data, key, files=None):
    payload = {f"{PREFIX}-current_step": step, "submission_key": key}
    payload.update({f"{step}-{k}": v for k, v in {**data, **(files or {})}.items()})
    return client.post("/report/", payload)


def wizard_files():
    return set(_walk(storages["wizard_uploads"]))


def _walk(storage, path=""):
    dirs, files = storage.listdir(path)
    found = [f"{path}{name}" for name in files]
    for d in dirs:
        found += _walk(storage, f"{path}{d}/")
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("key", [key for key in CORPUS if key not in HEAVY])
def test_wizard_photo_step(client, place, key):
    name, data = build(key)
    expected = CORPUS[key][2]
    wizard_key = client.get("/report/").context["submission_key"]
    post(client, "category", {"category": CaseCategory.objects.get(slug="noise").pk}, wizard_key)
    post(client, "community", {"community": place["community"].pk}, wizard_key)
    before = wizard_files()
    upload = SimpleUploadedFile(name, data, content_type="image/jpeg")
    response = post(
        client,
        "location",
        {"area": UNSURE, "address": "解放路 18 号"},
        wizard_key,
        files={"photo_1": upload},
    )
    if expected != ACCEPT:
        text = response.content.decode()
        assert response.status_code == 200 and "第 3 步" in text, key
        errors = BeautifulSoup(text, "html.parser").select("#field-location-photo_1 .error")
        assert errors and has_cjk(errors[0].get_text()), key  # a Chinese error next to the field
        assert wizard_files() == before, f"{key}: a refused file was kept"
        assert not CasePhoto.objects.exists()
        return
    assert response.status_code == 200 and "第 4 步" in response.content.decode(), key
    post(client, "details", {"description": "楼下烧烤店每晚十一点后还在放音乐"}, wizard_key)
    post(client, "contact", {"name": "王秀兰", "mobile": "13812345678", "consent": "on"}, wizard_key)
    done = post(client, "review", {"confirm": "on"}, wizard_key)
    assert done.status_code == 302 and done["Location"] == "/report/thanks/", key
    photo = CasePhoto.objects.get(report=GrievanceReport.objects.get())
    stored = photo.file.name
    basename = stored.rsplit("/", 1)[-1]
    assert RANDOM_NAME.match(basename), stored
    assert ".." not in stored and "\\" not in stored and "\x00" not in stored
    with photo.file.open("rb") as handle:
        assert_clean_image(handle.read(), key)


# --- memory ---------------------------------------------------------------------------

WORKER = """
import json, os, sys
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from portal.uploads import sanitise_image

def peak_mb():
    # VmHWM belongs to this process's own address space; getrusage's ru_maxrss would also
    # count the pytest parent's size at fork time, which survives exec on Linux.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")

baseline = peak_mb()
outcomes = {}
for path in sorted(os.listdir(sys.argv[1])):
    with open(os.path.join(sys.argv[1], path), "rb") as handle:
        data = handle.read()
    try:
        sanitise_image(SimpleUploadedFile("upload", data))
        outcomes[path] = "accept"
    except ValidationError as error:
        outcomes[path] = error.code
    del data
print(json.dumps({"baseline": baseline, "peak": peak_mb(), "outcomes": outcomes}))
"""


@pytest.mark.subprocess
def test_whole_corpus_in_one_worker_stays_under_memory_bound(tmp_path):
    """One process sanitises every file in turn, as a gunicorn worker would: peak RSS < 300 MB."""
    for key in CORPUS:
        (tmp_path / key).write_bytes(build(key)[1])
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "PYTHONPATH": str(root)}
    env["PYTHONWARNINGS"] = "ignore"
    result = subprocess.run(
        [sys.executable, "-c", WORKER, str(tmp_path)], capture_output=True, text=True, cwd=root, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(report["outcomes"]) == len(CORPUS)
    for key, outcome in report["outcomes"].items():
        expected = CORPUS[key][2]
        assert outcome == "accept" if expected == ACCEPT else outcome in expected, (key, outcome)
    assert report["peak"] < MEMORY_BOUND_MB, report
