"""来源渠道: how a case came in, on the admin case page and as a filter of the case list."""

import re

import pytest
from django.urls import reverse

from casework.models import CaseCategory, GrievanceReport
from casework.submission import submit_report
from tests import factories as f

pytestmark = pytest.mark.django_db
Channel = GrievanceReport.Channel


def test_every_channel_has_a_chinese_label_and_an_english_code():
    assert dict(Channel.choices) == {
        "phone": "电话",
        "visit": "来访",
        "patrol": "网格员巡查",
        "online": "网上",
        "sentinel": "商户网格哨兵",
        "api": "接口(API)",
    }


def test_submit_report_keeps_the_channel_and_defaults_to_online(world):
    category = CaseCategory.objects.first()
    common = {"category": category, "grid": world["grid_a"], "address": "解放路 18 号", "description": "楼下很吵"}
    online, _secret = submit_report("k-online", **common)
    by_api, _secret = submit_report("k-api", channel=Channel.API, **common)
    assert online.channel == "online" and by_api.channel == "api"
    assert GrievanceReport.objects.get(pk=by_api.pk).get_channel_display() == "接口(API)"


def test_the_case_page_shows_the_channel_in_chinese(client, world):
    case = f.case(world["grid_a"], channel=Channel.PHONE)
    client.force_login(world["worker_a"])
    content = client.get(reverse("casework:detail", args=[case.pk])).content.decode()
    assert "来源渠道" in content and "<dd>电话</dd>" in content
    assert not re.search(r">\s*phone\s*<", content)  # the code is never shown


def test_the_case_list_filters_by_channel(client, world):
    f.case(world["grid_a"], reference="SJ-20261122-0001", channel=Channel.API)
    f.case(world["grid_a"], reference="SJ-20261122-0002")
    client.force_login(world["mod_x"])
    index = reverse("casework:index")

    def refs(**params):
        content = client.get(index, params).content.decode()
        return {ref for ref in ("SJ-20261122-0001", "SJ-20261122-0002") if ref in content}

    assert refs(channel="api") == {"SJ-20261122-0001"}
    assert refs(channel="online") == {"SJ-20261122-0002"}
    assert refs() == {"SJ-20261122-0001", "SJ-20261122-0002"}
    page = client.get(index).content.decode()
    assert "来源渠道" in page and "接口(API)" in page and "商户网格哨兵" in page
    # A made-up channel is a filter error, not a 500 and not a wider list.
    assert client.get(index, {"channel": "<x>"}).status_code == 200
