"""Links that leave the site (mails, SMS, calendar feeds) use the site's address (portal/siteaddress.py);
admin links WAGTAILADMIN_BASE_URL when set, else the same address; never a guessed port 8000."""

import runpy

import pytest
from django.core import mail
from wagtail.models import Site

from casework.models import CaseCategory
from casework.submission import submit_report
from portal.settings import base
from portal.siteaddress import absolute
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_must_succeed")]


@pytest.fixture
def site_at_8080(settings):
    settings.WAGTAILADMIN_BASE_URL = ""
    Site.objects.filter(is_default_site=True).update(hostname="shangju.example.cn", port=8080)


def test_links_are_on_the_default_sites_address(site_at_8080):
    assert absolute("/track/") == "http://shangju.example.cn:8080/track/"


def test_staff_and_reporter_mails_link_to_the_sites_address(site_at_8080, django_capture_on_commit_callbacks):
    grid = f.grid(f.community(name="东门社区"), name="第一网格")
    f.community_moderator(grid.community, email="shuji@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        report, _secret = submit_report(
            "addresses",
            category=CaseCategory.objects.get(slug="noise"),
            grid=grid,
            address="解放路 18 号",
            description="夜里施工",
            contact={"name": "王秀兰", "mobile": "13812345678", "email": "wang@example.cn", "consent": True},
        )
    (staff_mail,) = mail.outbox
    assert f"http://shangju.example.cn:8080/admin/cases/{report.pk}/" in staff_mail.body
    assert ":8000" not in staff_mail.body


def test_settings_guess_no_address(monkeypatch):
    monkeypatch.delenv("WAGTAILADMIN_BASE_URL", raising=False)
    assert runpy.run_path(base.__file__)["WAGTAILADMIN_BASE_URL"] == ""
    monkeypatch.setenv("WAGTAILADMIN_BASE_URL", "https://jiedao.example.cn")
    assert runpy.run_path(base.__file__)["WAGTAILADMIN_BASE_URL"] == "https://jiedao.example.cn"
