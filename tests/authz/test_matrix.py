"""The authorisation matrix, generated from the URLconf: every pattern is classified, and every
probed URL lets exactly its allowed roles through (200, or a redirect that is not a refusal) and
refuses the others (login redirect, 403, 404, 405, or Wagtail's redirect with a refusal message)."""

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.signin import BACKEND

from .matrix import COUNTS, RULES, patterns, rule_for
from .seed import PUBLIC_ROLES, ROLES

pytestmark = pytest.mark.django_db
CONTROL = "superuser"
PROBED = sorted({key for key, _route in patterns() if (rule_for(key) and rule_for(key).urls)})


def test_every_url_pattern_is_classified():
    missing = sorted({f"{key}  ({route})" for key, route in patterns() if rule_for(key) is None})
    assert not missing, "URL patterns without an authorisation rule in tests/authz/matrix.py:\n" + "\n".join(missing)


def test_no_rule_is_stale():
    keys = {key for key, _route in patterns()}
    stale = sorted(set(RULES) - keys)
    assert not stale, f"rules for URL patterns that no longer exist: {stale}"


def outcome(response):
    """'ok', 'login', 'refused' or 'error' for one response."""
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (400, 403, 404, 405):
        return "refused"
    if status in (301, 302, 303):
        location = response["Location"]
        if "/login/" in location or location.startswith(reverse("sign_in")):
            return "login"
        if location in (reverse("track"), reverse("my")):
            return "refused"  # a case page without proof of the reference and mobile digits
        if location in ("/admin/", reverse("applications:index")):
            # Wagtail's permission_denied and the application views redirect with an error message.
            levels = [m.level_tag for m in get_messages(response.wsgi_request)]
            if "error" in levels:
                return "refused"
        return "ok"
    if status in (200, 204):
        return "ok"
    return f"status {status}"


class Clients(dict):
    """One test client per role, logged in on first use."""

    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, role):
        client = Client()
        if role in PUBLIC_ROLES:
            client.force_login(self.world.users[role], backend=BACKEND)
        elif role != "anonymous":
            client.force_login(self.world.users[role])
        self[role] = client
        return client


def request(client, method, url, world, survives=None):
    """The response, and whether survives(world) still held after it. Each request runs in its
    own savepoint: a POST that deletes or publishes must not change the world for the next one."""
    with transaction.atomic():
        response = getattr(client, method)(url)
        intact = survives(world) if survives else None
        transaction.set_rollback(True)
    return response, intact


def roles_for(rule, key):
    # Both grid workers hold the same Wagtail permissions (admin access only); they differ only
    # where the project scopes by grid, so worker B is probed on the project's own URLs.
    own = key.startswith(("casework", "applications:", "apply", "track", "report")) or rule.kind.startswith("case")
    return [role for role in ROLES if role != "worker_b" or own]


def probes(role, url, key):
    # Under /admin/ an SMS-code session is anonymous (accounts/middleware.py); residents and shop staff
    # are probed there on the project's own admin views, and everywhere on the public site.
    own = key.startswith(("casework", "applications:", "points", "evaluation"))
    return role not in PUBLIC_ROLES or own or not url.startswith("/admin/")


@pytest.mark.parametrize("key", PROBED)
def test_matrix_row(key, world, settings):
    # Test storage is in memory: serve documents by redirect, as production does with S3.
    settings.WAGTAILDOCS_SERVE_METHOD = "redirect"
    rule = RULES.get(key) or rule_for(key)
    by_role = Clients(world)
    problems = []
    for entry in rule.urls(world):
        if isinstance(entry, str):
            entry = (entry,)
        url, allowed, survives = entry[0], rule.allowed, rule.survives
        if len(entry) > 1:
            allowed = entry[1]
        if len(entry) > 2:
            survives = entry[2]
        roles = roles_for(rule, key)
        # The superuser proves the URL is real when no tested role may pass; "-" marks a URL nobody may use.
        control = rule.control and not (allowed & set(roles))
        # GET: every role. POST: the roles that must be refused; allowed POSTs are the apps' own tests.
        roles = [role for role in roles if probes(role, url, key)]
        checks = [("get", role) for role in roles] if rule.get else []
        if rule.post:
            checks += [("post", role) for role in roles if role not in allowed]
        if control:
            checks.append(("get" if rule.get else "post", CONTROL))
        for method, role in checks:
            response, intact = request(by_role[role], method, url, world, survives if method == "post" else None)
            got = outcome(response)
            COUNTS[(key, method, role)] += 1
            if role == CONTROL:
                expected_ok = "-" not in allowed
            else:
                expected_ok = role in allowed
            where = f"{role} {method.upper()} {url}"
            if expected_ok:
                if got != "ok":
                    problems.append(f"{where}: allowed, got {got} {response.status_code}")
                continue
            if got in ("login", "refused"):
                continue
            if got == "ok" and method == "get" and role in rule.get_ok and response.status_code == 200:
                body = response.content.decode(errors="replace")
                leaked = [text for text in (rule.hidden(world) if rule.hidden else []) if text in body]
                if not leaked:
                    continue
                problems.append(f"{where}: shows {leaked}")
                continue
            if got == "ok" and method == "post" and intact:
                continue  # answered, but nothing changed
            problems.append(f"{where}: must be refused, got {got} {response.status_code}")
    assert not problems, f"{key} [{rule.kind}]\n" + "\n".join(problems)
