"""After the forward migration, run by the NEW code (`manage.py shell < this file`): the moved admin
views open for each role on the migrated data, and Django's permission checks see the relabelled
permissions. Prints one line `CHECKED <json>`: {label: [status, found]} and {permission: bool}.
"""

import json

from django.contrib.auth import get_user_model
from django.test import Client

from casework.models import CasePhoto, GrievanceReport
from forms.models import MerchantApplication, QuestionnairePage

User = get_user_model()
users = {
    name: User.objects.get(username=name) for name in ("old_editor", "old_moderator", "old_worker", "old_moderator_y")
}
case = GrievanceReport.objects.get(submission_key="old-case-7")  # resolved, in the worker's grid, with a photo
photo = CasePhoto.objects.filter(report__submission_key="old-case-1").first()
approved = MerchantApplication.objects.get(submission_key="old-application-2")
survey = QuestionnairePage.objects.get(slug="old-survey")

VIEWS = {
    "inbox": ("/admin/cases/", case.reference),
    "case": (f"/admin/cases/{case.pk}/", "旧版本保存的工单"),
    "case_photo": (f"/admin/cases/{photo.report_id}/photos/{photo.pk}/", ""),
    "supervision": ("/admin/cases/supervision/", "菜市巷"),
    "stats": ("/admin/cases/stats/", "响应率"),
    "applications": ("/admin/applications/", "旧版申请3"),
    "application": (f"/admin/applications/{approved.pk}/", "审核记录"),
    "categories": ("/admin/snippets/casework/casecategory/", "油烟扰民"),
    "calendar": ("/admin/snippets/casework/calendarday/", "春节"),
    "convention": ("/admin/snippets/intake/convention/", "公约"),
    "survey_answers": (f"/admin/forms/submissions/{survey.pk}/", "多装路灯"),
}
results = {}
for name, user in users.items():
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for label, (url, text) in VIEWS.items():
        response = client.get(url)
        body = b"" if response.streaming else response.content
        found = bool(text) and text in body.decode(errors="replace")
        results[f"{name} {label}"] = [response.status_code, found]

permissions = {
    f"{name} {perm}": users[name].has_perm(perm)
    for name in ("old_editor", "old_moderator")
    for perm in ("casework.change_casecategory", "casework.add_calendarday", "intake.change_convention")
}
print("CHECKED " + json.dumps({"views": results, "permissions": permissions}, ensure_ascii=False))
