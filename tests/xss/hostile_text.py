"""Hostile text stored in every field staff and residents read, and the world that holds it."""

SCRIPT = "<script>alert(1)</script>"


IMG = '"><img src=x onerror=alert(1)>'


TEMPLATE = "T{{7*7}}T"  # rendered by a template engine it would read T49T


FORMULA = '=HYPERLINK("http://x")'


CASE_TEXT = {
    "address": FORMULA + SCRIPT,
    "description": f"{IMG} {TEMPLATE} {SCRIPT}",
    "since": "+cmd" + TEMPLATE,
    "reporter_name": IMG,
    "result": "-1+1" + SCRIPT,
    "rating_comment": "@SUM(A1)" + IMG,
}


APPLICATION_TEXT = {
    "shop_name": FORMULA + SCRIPT,
    "address": "+cmd" + IMG,
    "contact_person": "-1+1" + SCRIPT,
    "opening_hours": "@SUM(A1)" + TEMPLATE + IMG,
    "offers": f"{TEMPLATE}{SCRIPT}{IMG}",
    "signed_name": "-1+1" + SCRIPT,
}


NOTE = f"{TEMPLATE}{SCRIPT}{IMG}"


CASE_SECRET = "case-link-secret-xss"


APPLICATION_SECRET = "application-link-secret-xss"


AMEND_SECRET = "application-amend-secret-xss"
