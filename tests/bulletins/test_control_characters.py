"""Feeds and calendars carry whatever editors pasted: a control character (a vertical tab from a
word processor, an escape) in a title or summary never breaks /feeds/news/ or the .ics files."""

import pytest
from defusedxml import ElementTree
from icalendar import Calendar

from tests import factories as f

pytestmark = pytest.mark.django_db
PASTED = "夜市\x0b开张\x01"


@pytest.fixture
def pasted(home):
    f.news_index()
    f.notice_index()
    article = f.news(title=PASTED, intro="摘要\x1b[0m", tags=["集\x07市"])
    notice = f.notice(title="集市\x0b通知", place="解放路\x7f 18 号")
    return {"article": article, "notice": notice}


@pytest.mark.parametrize("url", ["/feeds/news/", "/feeds/news/atom/"])
def test_the_news_feeds_are_well_formed_with_control_characters_in_titles(client, pasted, url):
    response = client.get(url)
    assert response.status_code == 200
    ElementTree.fromstring(response.content)  # well-formed XML 1.0
    text = response.content.decode()
    assert "夜市␋开张␁" in text and "摘要␛[0m" in text and "集␇市" in text


@pytest.mark.parametrize("which", ["calendar", "event"])
def test_the_calendars_carry_no_control_characters(client, pasted, which):
    url = "/notices/calendar.ics" if which == "calendar" else pasted["notice"].url + "event.ics"
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert not any(ord(c) < 0x20 and c not in "\r\n\t" or 0x7F <= ord(c) < 0xA0 for c in body)
    event = next(component for component in Calendar.from_ical(response.content).walk("VEVENT"))
    assert str(event["summary"]) == "集市␋通知" and "解放路␡ 18 号" in str(event["location"])
