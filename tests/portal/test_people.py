"""A person's name, wherever the portal shows one: family name first, no space; the username only
when the account has no name. Through the helpers and through the admin pages that show people."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal.people import display_name, full_name
from tests import factories as f


def test_chinese_names_read_family_name_first_without_a_space():
    assert full_name("晓燕", "林") == "林晓燕"
    assert full_name("书记", "李") == "李书记"
    assert full_name(" 志刚 ", "马") == "马志刚"
    assert full_name("", "欧阳") == "欧阳"


def test_names_in_latin_letters_keep_their_order():
    assert full_name("Anna", "Schmidt") == "Anna Schmidt"
    assert full_name("Anna", "") == "Anna"
    assert full_name("", "") == ""


@pytest.mark.django_db
def test_every_user_is_named_in_chinese_order_and_by_username_only_without_a_name():
    users = get_user_model().objects
    named = users.create_user("wangge", first_name="刚", last_name="王")
    assert named.get_full_name() == "王刚"
    assert named.get_short_name() == "王刚"  # the account menu and Wagtail's mail greeting
    assert display_name(named) == "王刚"
    assert display_name(users.create_user("nobody")) == "nobody"
    assert display_name(None) == ""


@pytest.mark.django_db
def test_admin_pages_show_staff_by_name(client, world):
    worker = world["worker_a"]
    worker.first_name, worker.last_name = "志刚", "马"
    worker.save()
    moderator = world["mod_x"]
    moderator.first_name, moderator.last_name = "建华", "周"
    moderator.save()
    report = f.case(world["grid_a"], state="accepted")
    client.force_login(moderator)
    client.post(
        reverse("casework:action", args=[report.pk, "dispatch"]),
        {"dispatch-assignee": worker.pk, "dispatch-note": "请今天上门"},
    )
    detail = client.get(reverse("casework:detail", args=[report.pk])).content.decode()
    assert "马志刚" in detail and "周建华" in detail
    assert "志刚 马" not in detail and "建华 周" not in detail
    inbox = client.get(reverse("casework:index")).content.decode()
    assert "马志刚" in inbox and worker.username not in inbox
    # Wagtail's own listing of users, and the name in the account menu.
    superuser = get_user_model().objects.create_superuser("chenlixin", first_name="立新", last_name="陈")
    client.force_login(superuser)
    users = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert "马志刚" in users and "周建华" in users
    assert account_menu_name(client.get(reverse("wagtailadmin_home"))) == "陈立新"


def account_menu_name(response):
    """The name Wagtail's sidebar shows for the signed-in person (drawn from JSON by its script)."""
    props = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', response.text, re.S)
    modules = json.loads(props.group(1))["modules"]
    menu = next(module for module in modules if module["_type"] == "wagtail.sidebar.MainMenuModule")
    return menu["_args"][-1]["name"]
