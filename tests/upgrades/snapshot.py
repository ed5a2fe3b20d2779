"""What a database holds, read with plain SQL so the code before and after a migration reads it alike.

Run as `manage.py shell < snapshot.py`; prints one line `SNAPSHOT <json>`.
"""

import json

from django.db import connection

tables = sorted(connection.introspection.table_names())


def rows(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [list(row) for row in cursor.fetchall()]


def count(table):
    return rows(f'SELECT COUNT(*) FROM "{table}"')[0][0]  # noqa: S608 - table names from introspection


snapshot = {
    "counts": {table: count(table) for table in tables},
    "content_types": rows("SELECT id, app_label, model FROM django_content_type ORDER BY id"),
    "reports": rows(
        "SELECT id, reference, secret_hash, submission_key, state, assignee_id, grid_id, community_id, category_id,"
        " reporter_name, reporter_mobile, rating, overdue, supervised_at, accept_due, resolve_due"
        " FROM intake_grievancereport ORDER BY id"
    ),
    "events": rows(
        "SELECT id, report_id, action, from_state, to_state, actor_id, note, public, rating, created_at"
        " FROM intake_caseevent ORDER BY id"
    ),
    "case_photos": rows("SELECT id, report_id, kind, file FROM intake_casephoto ORDER BY id"),
    "categories": rows(
        "SELECT id, slug, name, accept_within_hours, resolve_within_days FROM intake_casecategory ORDER BY id"
    ),
    "calendar": rows("SELECT id, date, is_workday, note FROM intake_calendarday ORDER BY id"),
    "sequences": rows("SELECT prefix, day, last FROM intake_dailysequence ORDER BY prefix, day"),
    "applications": rows(
        "SELECT id, reference, state, shop_name, address, review_note, merchant_id, created_at"
        " FROM intake_merchantapplication ORDER BY id"
    ),
    "application_photos": rows("SELECT id, application_id, kind, file FROM intake_applicationphoto ORDER BY id"),
    "submissions": rows("SELECT id, page_id, form_data FROM wagtailforms_formsubmission ORDER BY id"),
    "group_permissions": rows(
        "SELECT g.name, ct.app_label, ct.model, p.codename FROM auth_group_permissions gp"
        " JOIN auth_group g ON g.id = gp.group_id JOIN auth_permission p ON p.id = gp.permission_id"
        " JOIN django_content_type ct ON ct.id = p.content_type_id ORDER BY 1, 2, 3, 4"
    ),
    "memberships": rows(
        "SELECT u.username, g.name FROM auth_user_groups ug JOIN auth_user u ON u.id = ug.user_id"
        " JOIN auth_group g ON g.id = ug.group_id ORDER BY 1, 2"
    ),
    "moderators": rows("SELECT community_id, user_id FROM alliance_community_moderators ORDER BY 1, 2"),
    "workers": rows("SELECT grid_id, user_id FROM alliance_grid_workers ORDER BY 1, 2"),
}
if "intake_applicationevent" in tables:
    snapshot["application_events"] = rows(
        "SELECT application_id, action, from_state, to_state, actor_id, note, created_at"
        " FROM intake_applicationevent ORDER BY application_id, created_at, id"
    )
else:
    snapshot["reviews"] = rows(
        "SELECT id, state, reviewer_id, reviewed_at, review_note, created_at, updated_at"
        " FROM intake_merchantapplication ORDER BY id"
    )
print("SNAPSHOT " + json.dumps(snapshot, default=str, ensure_ascii=False))
