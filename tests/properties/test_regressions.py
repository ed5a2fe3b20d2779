"""Bugs the properties found, fixed, and pinned as plain tests so they are easy to read and rerun.

1. ?community= and ?tag= of the news index went to the database as typed; psycopg refuses a NUL
   character ("PostgreSQL text fields cannot contain NUL (0x00) bytes"), so /news/?community=%00
   answered 500 on PostgreSQL instead of 404 (SQLite found nothing and answered 404). Listing
   parameters are now read through portal/params.py, which refuses such a value before any query.
2. The same cause in /track/<reference>/ with %00 in the path (forms/report/views.py).
"""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("param", ["community", "tag"])
def test_news_filter_holding_a_nul_character_is_not_found_not_a_server_error(client, home, param):
    f.news_index(home)
    response = client.get("/news/", {param: "dongmen\x00"})
    assert response.status_code == 404
    assert "找不到这个页面" in response.content.decode()


@pytest.mark.parametrize("param", ["community", "q", "category"])
def test_merchant_directory_filters_holding_a_nul_character_do_not_fail(client, db, param):
    # Odd slugs are refused before the database (portal.params.lookup); q has control characters replaced.
    response = client.get("/merchants/", {param: "dongmen\x00"})
    assert response.status_code == (200 if param == "q" else 404)


def test_track_status_path_holding_a_nul_character_is_a_redirect_not_a_server_error(client, db):
    # The reference from the path is cleaned (portal.params.clean_text) before it reaches the database.
    response = client.get("/track/SJ-20261122-0042%00/")
    assert response.status_code == 302 and response["Location"] == "/track/"
