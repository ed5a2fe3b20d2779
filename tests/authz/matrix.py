"""The authorisation matrix: every URL pattern of the URLconf, what kind of access it needs,
which roles may use it, and how to fill its parameters from the seeded world (conftest.py).

`patterns()` walks the resolver; `RULES` maps a pattern's key (its namespaced name, or its
route when it has none) to a Rule. Exact rows come first; `PREFIX_RULES` classify Wagtail's
own admin in bulk where one rule fits a whole family (choosers, the admin API, help views).
Previews, revisions, history, workflow, exports, bulk actions and every file download of the
project have exact rows, and so does every URL of forms/ (cases, applications, photos, exports).
"""

import collections
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.urls import URLResolver, get_resolver, reverse
from wagtail.admin.models import EditingSession
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Page, Task

from alliance.models import Merchant
from casework.models import CalendarDay

# (pattern, method, role) -> requests made, for the size report at the end of the run.
COUNTS = collections.Counter()

ANON, ED, MOD, WA, WB = "anonymous", "editor", "moderator", "worker_a", "worker_b"
RES, CLERK = "resident", "clerk"
ALL = frozenset({ANON, ED, MOD, WA, WB, RES, CLERK})
RESIDENTS = frozenset({RES, CLERK})  # anyone signed in by SMS code (a shop's staff are residents too)
STAFF = frozenset({ED, MOD, WA, WB})  # anyone allowed into the Wagtail admin
WRITERS = frozenset({ED, MOD})  # page editing: 编辑 and 审核 hold add/change page on the home page
PUBLISHERS = frozenset({MOD})  # 审核: publish, lock, approve, keep the registry and intake settings
CASEWORKERS = frozenset({MOD, WA, WB})
CASE_A = frozenset({MOD, WA})  # grid A is in X, which the moderator moderates
CASE_B = frozenset({MOD, WB})
NOBODY = frozenset()  # superuser only


@dataclass
class Rule:
    """kind: a short label for the report; allowed: roles that may use it (the superuser always may,
    unless control=False); urls: world -> list of (url, allowed override or None); post: also POST."""

    kind: str
    allowed: frozenset
    urls: object = None  # callable(world) -> list[str | tuple[str, frozenset]]; None: classified, not requested
    post: bool = False
    control: bool = True  # the superuser must get through (proves the URL is real)
    note: str = ""
    get: bool = True
    # Roles Wagtail lets GET a page that lists nothing of theirs (choosers, confirmation screens);
    # such a 200 passes only when none of hidden(world) appears in it.
    get_ok: frozenset = frozenset()
    hidden: object = None  # callable(world) -> list[str]
    # For POSTs by refused roles that Wagtail answers with a redirect: passes when survives(world)
    # is still true after the request (nothing was changed).
    survives: object = None


def walk(resolver=None, prefix="", namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry, prefix + str(entry.pattern), inner)
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name


def patterns():
    """(key, route) for every pattern; the key is the namespaced name, else the route."""
    return [(name or route, route) for route, name in walk()]


def rule_for(key):
    if key in RULES:
        return RULES[key]
    for prefix, rule in PREFIX_RULES:
        if key.startswith(prefix):
            return rule
    return None


def r(name, *args, query=""):
    return reverse(name, args=args) + query


def one(name, *arg_getters, query=""):
    """A url builder: reverse(name) with args taken from the world by attribute path."""

    def build(w):
        args = []
        for getter in arg_getters:
            value = w
            for part in getter.split("."):
                value = getattr(value, part)
            args.append(value)
        return [r(name, *args, query=query)]

    return build


def many(*builders):
    def build(w):
        out = []
        for builder in builders:
            out.extend(builder(w))
        return out

    return build


def scoped(allowed, builder):
    """Urls from builder with their own allowed roles (for one pattern probed with several objects)."""

    def build(w):
        return [(url, allowed) for url in builder(w)]

    return build


def user_model_label():
    meta = get_user_model()._meta
    return meta.app_label, meta.model_name


# --- The table ---------------------------------------------------------------------------

RULES = {}


def rule(key, kind, allowed, urls=None, **kwargs):
    assert key not in RULES, key
    RULES[key] = Rule(kind, frozenset(allowed), urls, **kwargs)


# Public site
rule("search", "public", ALL, one("search", query="?query=东门"))
rule("merchant_directory", "public", ALL, one("merchant_directory"))
rule("merchant_detail", "public", ALL, one("merchant_detail", "merchant.pk"))
rule("news_feed", "public", ALL, one("news_feed"))
rule("news_feed_atom", "public", ALL, one("news_feed_atom"))
rule("sitemap", "public", ALL, one("sitemap"))
rule("robots_txt", "public", ALL, one("robots_txt"))
rule("text_size", "public", ALL, one("text_size"), post=True)
rule("report", "public", ALL, one("report"), post=True)
rule("report_thanks", "public", ALL, one("report_thanks"))
rule("apply", "public", ALL, one("apply"), post=True)
rule("apply_thanks", "public", ALL, one("apply_thanks"))
rule("track", "public", ALL, one("track"), post=True)
# Secret-link views: the right secret is the credential; a wrong one is a 404 for everybody.
rule(
    "apply_status",
    "secret-link",
    ALL,
    many(lambda w: [r("apply_status", "authz-app-x")], scoped(NOBODY, lambda w: [r("apply_status", "wrong-secret")])),
    control=False,
)
rule(
    "apply_amend",
    "secret-link",
    ALL,
    many(lambda w: [r("apply_amend", "authz-app-x")], scoped(NOBODY, lambda w: [r("apply_amend", "wrong-secret")])),
    post=True,
    control=False,
)
rule("track_private", "secret-link", NOBODY, lambda w: [r("track_private", "wrong-secret")], control=False, post=True)
# Without having proved the reference and mobile digits in this session, a case's page is a redirect to the lookup.
rule("track_report", "session-proof", NOBODY, one("track_report", "case_a.reference"), control=False, post=True)
# An application's own address: only for a browser that opened its private link (forms/proofs.py).
rule("apply_application", "session-proof", NOBODY, one("apply_application", "application_x.reference"), control=False)
rule(
    "apply_application_amend",
    "session-proof",
    NOBODY,
    one("apply_application_amend", "application_x.reference"),
    post=True,
    control=False,
)

# Open311 GeoReport v2 (casework/open311.py): the reading half is public; a POST needs an API key,
# which no role has (a staff login is no key), so every POST is refused with 403.
rule(
    "open311_discovery", "public", ALL, many(lambda w: [r("open311_discovery")], lambda w: ["/open311/discovery.json"])
)
rule("open311_services", "public", ALL, lambda w: ["/open311/v2/services.json", "/open311/v2/services.xml"])
rule("open311_service", "public", ALL, lambda w: [f"/open311/v2/services/{w.category.slug}.json"])
rule(
    "open311_requests",
    "public",
    ALL,
    lambda w: ["/open311/v2/requests.json", "/open311/v2/requests.xml"],
    note="a POST needs an API key: tests/casework/test_open311_post.py",
)
rule("open311_request", "public", ALL, lambda w: [f"/open311/v2/requests/{w.case_a.reference}.json"])
rule("open311_not_found", "public", NOBODY, lambda w: ["/open311/v2/nothing.json"], control=False)

# Residents' and shop staff's own pages (accounts/): signed in by SMS code, never by a staff account.
rule("sign_in", "public", ALL, one("sign_in"), post=True)
rule("sign_in_code", "public", ALL, None, note="the second step of sign_in; without a number it sends you back")
rule("sign_out", "public", ALL, one("sign_out"), get=False, post=True)
rule("my", "residents-only", RESIDENTS, one("my"), control=False, note="staff accounts get 403, anonymous the sign-in")
rule(
    "track_mine",
    "resident-own-case",
    NOBODY,
    one("track_mine", "case_a.reference"),
    control=False,
    post=True,
    note="only the case's reporter, signed in by SMS code",
)
rule("my_name", "residents-only", RESIDENTS, one("my_name"), post=True, control=False)
rule("my_close", "residents-only", RESIDENTS, one("my_close"), post=True, control=False)
rule("my_mobile", "residents-only", RESIDENTS, one("my_mobile"), post=True, control=False)
rule(
    "my_mobile_code",
    "residents-only",
    RESIDENTS,
    None,
    note="the second step of my_mobile; without a pending number it sends you back",
)
# Volunteer points (points/): a resident's own movements, codes and sign-ups; a shop's desk for its staff only.
rule("points_movements", "residents-only", RESIDENTS, one("points_movements"), control=False)
rule("points_spend", "residents-only", RESIDENTS, one("points_spend"), post=True, control=False)
rule(
    "points_sign_up",
    "residents-only",
    RESIDENTS,
    one("points_sign_up", "activity.pk"),
    get=False,
    post=True,
    control=False,
)
rule(
    "points_cancel",
    "residents-only",
    RESIDENTS,
    one("points_cancel", "activity.pk"),
    get=False,
    post=True,
    control=False,
)
rule("points_desk_home", "residents-only", RESIDENTS, one("points_desk_home"), control=False)
rule(
    "points_desk",
    "shop-staff",
    frozenset({CLERK}),
    many(one("points_desk", "merchant.pk"), scoped(NOBODY, one("points_desk", "merchant_y.pk"))),
    post=True,
    control=False,
    note="only active staff of that shop; another shop's desk is a 404",
)
rule(
    "points_statement",
    "shop-staff",
    frozenset({CLERK}),
    many(
        one("points_statement", "merchant.pk", "month"),
        scoped(NOBODY, one("points_statement", "merchant_y.pk", "month")),
    ),
    control=False,
)
rule("points_publicity", "public", ALL, one("points_publicity"))

# Evaluation (evaluation/): residents score on 我的 (a clerk may open the sheet of their own shop, but saving is
# refused on the page); results are public from 公示 on, and a round in scoring has none.
EVAL_RATERS = frozenset({ED, MOD})  # the seeded round names 审核 for the community and 编辑 for the chamber
rule(
    "evaluation_my_round", "residents-only", RESIDENTS, one("evaluation_my_round", "evaluation_round.pk"), control=False
)
rule(
    "evaluation_my_sheet",
    "residents-only",
    RESIDENTS,
    one("evaluation_my_sheet", "evaluation_round.pk", "merchant.pk"),
    post=True,
    control=False,
)
rule(
    "evaluation_result",
    "public",
    ALL,
    many(
        one("evaluation_result", "published_round.pk"), scoped(NOBODY, one("evaluation_result", "evaluation_round.pk"))
    ),
    control=False,
)
# The staff side (evaluation/permissions.py, granted in evaluation/0002): 编辑 and 审核 read rounds and results,
# 审核 move them; a staff rater scores only rounds that name them (404 for everyone else, the superuser too).
rule("evaluation_admin:round", "evaluation-view", WRITERS, one("evaluation_admin:round", "evaluation_round.pk"))
rule(
    "evaluation_admin:transition",
    "evaluation-manage",
    PUBLISHERS,
    one("evaluation_admin:transition", "evaluation_round.pk"),
    get=False,
    post=True,
)
rule("evaluation_admin:result", "evaluation-view", WRITERS, one("evaluation_admin:result", "evaluation_round.pk"))
rule("evaluation_admin:my_rounds", "staff", STAFF, one("evaluation_admin:my_rounds"))
rule(
    "evaluation_admin:shops",
    "evaluation-rater",
    EVAL_RATERS,
    one("evaluation_admin:shops", "evaluation_round.pk"),
    control=False,
)
rule(
    "evaluation_admin:sheet",
    "evaluation-rater",
    EVAL_RATERS,
    one("evaluation_admin:sheet", "evaluation_round.pk", "merchant.pk"),
    post=True,
    control=False,
)

# The staff side of points (points/permissions.py, granted in points/0005): 编辑 record attendance,
# 网格员 and 审核 confirm it and read accounts, 审核 alone keep them (cards, acting for, reversals, settling).
CONFIRMERS = frozenset({MOD, WA, WB})
rule("points_admin:attendance", "points-record", WRITERS, one("points_admin:attendance", "activity.pk"), post=True)
rule("points_admin:confirm", "points-confirm", CONFIRMERS, one("points_admin:confirm"), post=True)
rule("points_admin:accounts", "points-accounts", CONFIRMERS, one("points_admin:accounts"))
rule("points_admin:account", "points-accounts", CONFIRMERS, one("points_admin:account", "resident_account.pk"))
rule("points_admin:add_person", "points-keep", PUBLISHERS, one("points_admin:add_person"), post=True)
rule(
    "points_admin:issue_card",
    "points-keep",
    PUBLISHERS,
    one("points_admin:issue_card", "resident_account.pk"),
    post=True,
)
rule("points_admin:act_for", "points-keep", PUBLISHERS, one("points_admin:act_for", "resident_account.pk"), post=True)
rule(
    "points_admin:request_reversal",
    "points-keep",
    PUBLISHERS,
    one("points_admin:request_reversal", "issued.pk"),
    post=True,
)
rule("points_admin:reversals", "points-keep", PUBLISHERS, one("points_admin:reversals"), post=True)
rule("points_admin:settlements", "points-keep", PUBLISHERS, one("points_admin:settlements"), post=True)
rule(
    "points_admin:statement",
    "points-keep",
    PUBLISHERS,
    one("points_admin:statement", "merchant.pk", query="?month=2026-11"),
)
rule("wagtail_serve", "public-pages", ALL, lambda w: [w.news.url, w.questionnaire.url, w.home.url], post=False)
rule("wagtail_serve_ics", "public-pages", ALL, lambda w: ["/notices/calendar.ics"], control=True)
rule(
    "wagtailcore_authenticate_with_password",
    "public-password-form",
    ALL,
    one("wagtailcore_authenticate_with_password", "page_restriction.pk", "restricted.pk"),
    post=True,
)
rule("wagtailcore_login", "public", ALL, one("wagtailcore_login"))
rule("healthz", "public", ALL, one("healthz"))

# Documents: public ones to everybody; a password-protected collection's only with the password.
rule(
    "wagtaildocs_serve",
    "document-download",
    ALL,
    many(
        lambda w: [w.document.url],
        # A password-protected collection: everybody gets the password form, nobody the file.
        scoped(NOBODY, lambda w: [w.private_document.url]),
    ),
    control=False,
    get_ok=ALL,
    hidden=lambda w: ["%PDF-1.4 private"],
)
rule(
    "wagtaildocs_authenticate_with_password",
    "public-password-form",
    ALL,
    one("wagtaildocs_authenticate_with_password", "collection_restriction.pk"),
    post=True,
)

# The project's casework (casework/views.py): object-level, by grid and community.
rule("casework:index", "caseworkers", CASEWORKERS, one("casework:index"))
rule("casework:index_results", "caseworkers", CASEWORKERS, one("casework:index_results"))
rule("casework:supervision", "case-moderators", PUBLISHERS, one("casework:supervision"))
rule("casework:supervision_results", "case-moderators", PUBLISHERS, one("casework:supervision_results"))
rule("casework:stats", "case-moderators", PUBLISHERS, one("casework:stats"))
rule(
    "casework:stats_export",
    "case-moderators-export",
    PUBLISHERS,
    one("casework:stats_export", query="?start=2026-01-01&end=2026-12-31"),
)


def case_urls(name, *extra):
    def build(w):
        out = []
        for case, allowed in ((w.case_a, CASE_A), (w.case_b, CASE_B), (w.case_y, NOBODY)):
            out.append((r(name, case.pk, *extra), allowed))
        return out

    return build


def case_photo_urls(w):
    return [
        (r("casework:photo", w.case_a.pk, w.photo_a.pk), CASE_A),
        (r("casework:photo", w.case_b.pk, w.photo_b.pk), CASE_B),
        (r("casework:photo", w.case_y.pk, w.photo_y.pk), NOBODY),
        # A photo of case B asked for through case A's URL: never served, not even to A's worker.
        (r("casework:photo", w.case_a.pk, w.photo_b.pk), frozenset({"-"})),
    ]


rule("casework:detail", "case-scoped", CASE_A, case_urls("casework:detail"))
# Revealing the reporter's contact: the assignee and the moderators only; the seeded cases are not
# dispatched, so their grid's worker sees them masked and may not reveal (casework/permissions.py).
rule(
    "casework:reveal_contact",
    "case-assignee-or-moderator",
    PUBLISHERS,
    lambda w: [
        (r("casework:reveal_contact", case.pk), allowed)
        for case, allowed in ((w.case_a, PUBLISHERS), (w.case_b, PUBLISHERS), (w.case_y, NOBODY))
    ],
    get=False,
    post=True,
)
rule("casework:action", "case-scoped", CASE_A, case_urls("casework:action", "accept"), get=False, post=True)
rule("casework:link_merchant", "case-scoped", CASE_A, case_urls("casework:link_merchant"), get=False, post=True)
rule("casework:photo", "case-photo-download", CASE_A, case_photo_urls)
# The settings snippets' addresses from before casework had its own app: a redirect to the new one,
# which then checks the permission itself (the rows of wagtailsnippets_casework_* below).
rule(
    "casework_moved_snippet",
    "redirect-to-checked-view",
    STAFF,
    lambda w: [f"/admin/snippets/intake/calendarday/edit/{w.calendar_day.pk}/"],
    note="a permanent redirect for every admin user; the target refuses those without permission",
)

# Merchant applications (forms/apply/review.py): a community's moderators review its applications
# only (the moderator holds X, not Y); the superuser reviews all.
rule("applications:index", "application-reviewers", PUBLISHERS, one("applications:index"))
rule(
    "applications:detail",
    "application-reviewers",
    PUBLISHERS,
    many(
        one("applications:detail", "application_x.pk"),
        scoped(NOBODY, one("applications:detail", "application_y.pk")),
    ),
)
rule(
    "applications:action",
    "application-reviewers",
    PUBLISHERS,
    lambda w: [
        r("applications:action", w.application_x.pk, "more_info"),
        (r("applications:action", w.application_y.pk, "more_info"), NOBODY),
    ],
    get=False,
    post=True,
)
rule(
    "applications:photo",
    "application-photo-download",
    PUBLISHERS,
    many(one("applications:photo", "app_photo_x.pk"), scoped(NOBODY, one("applications:photo", "app_photo_y.pk"))),
)

# Wagtail admin shell
rule("wagtailadmin_home", "staff", STAFF, one("wagtailadmin_home"))
rule("admin/test404/", "staff", STAFF, lambda w: ["/admin/test404/"], note="a 404 page by design")
rule("wagtailadmin_error_test", "staff", STAFF, None, note="raises on purpose (Wagtail's 500 test view)")
rule("admin/^.*/$", "staff", STAFF, None, note="the admin's catch-all 404")
rule("wagtailadmin_account", "staff", STAFF, one("wagtailadmin_account"))
rule("wagtailadmin_logout", "staff", STAFF, None, note="ends the test client's session")
rule("wagtailadmin_dismissibles", "staff", STAFF, None, note="PATCH only: the user's own dismissed hints")
rule("wagtailadmin_sprite", "public-asset", ALL, one("wagtailadmin_sprite"))
rule("wagtailadmin_javascript_catalog", "public-asset", ALL, one("wagtailadmin_javascript_catalog"))
rule("wagtailadmin_login", "public", ALL, one("wagtailadmin_login"))
rule("wagtailadmin_password_reset", "public", ALL, one("wagtailadmin_password_reset"))
rule("wagtailadmin_password_reset_done", "public", ALL, one("wagtailadmin_password_reset_done"))
rule(
    "wagtailadmin_password_reset_confirm",
    "public-token",
    ALL,
    lambda w: [reverse("wagtailadmin_password_reset_confirm", args=["MQ", "set-password"])],
)
rule("wagtailadmin_password_reset_complete", "public", ALL, one("wagtailadmin_password_reset_complete"))
rule(
    "wagtailadmin_block_preview", "staff", STAFF, None, note="needs a StreamField block id; renders preview_value only"
)
rule("wagtailadmin_tag_autocomplete", "staff", STAFF, one("wagtailadmin_tag_autocomplete", query="?term=a"))
rule(
    "wagtailadmin_tag_model_autocomplete",
    "staff",
    STAFF,
    lambda w: [reverse("wagtailadmin_tag_model_autocomplete", args=["taggit", "tag"]) + "?term=a"],
)
rule(
    "wagtailadmin_editing_sessions:ping",
    "editing-session",
    WRITERS,
    lambda w: [
        reverse("wagtailadmin_editing_sessions:ping", args=["wagtailcore", "page", w.news.pk, w.editing_session.pk])
    ],
    get=False,
    post=True,
    survives=lambda w: session_intact(w),
    note="pings the user's own presence on a page they can edit; another user's session id is not taken over",
)
rule(
    "wagtailadmin_editing_sessions:release",
    "editing-session",
    NOBODY,
    one("wagtailadmin_editing_sessions:release", "editing_session.pk"),
    get=False,
    post=True,
    survives=lambda w: session_intact(w),
    note="releases only the user's own sessions: another user's stays",
)


def page_exists(pk):

    return Page.objects.filter(pk=pk).exists()


def session_intact(w):

    return EditingSession.objects.filter(pk=w.editing_session.pk, user=w.superuser).exists()


# Pages: explorer, editing, previews, revisions, history, workflow.
for key, args in {
    "wagtailadmin_explore_root": (),
    "wagtailadmin_explore": ("home.pk",),
    "wagtailadmin_explore_results": ("home.pk",),
    "wagtailadmin_pages:search": (),
    "wagtailadmin_pages:search_results": (),
    "wagtailadmin_pages:usage": ("news.pk",),
    "wagtailadmin_pages:add_subpage": ("home.pk",),
    "wagtailadmin_pages:edit": ("news.pk",),
    "wagtailadmin_pages:view_draft": ("draft.pk",),
    "wagtailadmin_pages:copy": ("news.pk",),
    "wagtailadmin_pages:revisions_view": ("news.pk", "news_revision.pk"),
    "wagtailadmin_pages:revisions_revert": ("news.pk", "news_revision.pk"),
    "wagtailadmin_pages:history": ("news.pk",),
    "wagtailadmin_pages:history_results": ("news.pk",),
    "wagtailadmin_pages:workflow_history": ("in_moderation.pk",),
    "wagtailadmin_pages:workflow_history_detail": ("in_moderation.pk", "workflow_state.pk"),
    "wagtailadmin_pages:preview_on_edit": ("news.pk",),
}.items():
    changes = any(word in key for word in ("add", "edit", "copy", "move", "revert", "preview"))
    rule(key, "page-writers", WRITERS, one(key, *args), post=changes)

rule(
    "wagtailadmin_pages:add",
    "page-writers",
    WRITERS,
    lambda w: [reverse("wagtailadmin_pages:add", args=["bulletins", "newspage", w.news.get_parent().pk])],
    post=True,
)
rule(
    "wagtailadmin_pages:preview_on_add",
    "page-preview",
    WRITERS,
    lambda w: [reverse("wagtailadmin_pages:preview_on_add", args=["bulletins", "newspage", w.news.get_parent().pk])],
    post=True,
)
rule(
    "wagtailadmin_pages:type_use",
    "page-writers",
    WRITERS,
    lambda w: [reverse("wagtailadmin_pages:type_use", args=["bulletins", "newspage"])],
)
rule(
    "wagtailadmin_pages:type_use_results",
    "page-writers",
    WRITERS,
    lambda w: [reverse("wagtailadmin_pages:type_use_results", args=["bulletins", "newspage"])],
)
rule(
    "wagtailadmin_pages:choose_parent",
    "page-writers",
    WRITERS,
    lambda w: [reverse("wagtailadmin_pages:choose_parent", args=["bulletins", "newspage"])],
    get_ok=STAFF,
    hidden=lambda w: [f'value="{w.news.get_parent().pk}"'],
    note="offers only parents the user may add under: none for grid workers",
)
rule(
    "wagtailadmin_pages:set_page_position",
    "page-writers",
    WRITERS,
    one("wagtailadmin_pages:set_page_position", "news.pk"),
    get=False,
    post=True,
)
rule(
    "wagtailadmin_pages:move_confirm",
    "page-publishers",
    PUBLISHERS,
    lambda w: [r("wagtailadmin_pages:move_confirm", w.news.pk, w.home.pk)],
    post=True,
    get_ok=STAFF,
    survives=lambda w: w.news.get_parent().specific_class.__name__ == "NewsIndexPage",
    note="Wagtail checks the move on POST only; the GET names two public pages",
)
rule("wagtailadmin_pages:move", "page-publishers", PUBLISHERS, one("wagtailadmin_pages:move", "news.pk"), post=True)
rule(
    "wagtailadmin_pages:revisions_index",
    "page-revisions",
    STAFF,
    one("wagtailadmin_pages:revisions_index", "news.pk"),
    note="a redirect to the history view, whose own row checks access",
)
rule(
    "wagtailadmin_pages:delete",
    "page-deleters",
    PUBLISHERS,
    lambda w: [
        r("wagtailadmin_pages:delete", w.news.pk),
        # Wagtail: change without publish (编辑) may delete a page that was never published.
        (r("wagtailadmin_pages:delete", w.draft.pk), WRITERS),
    ],
    post=True,
    survives=lambda w: page_exists(w.news.pk) and page_exists(w.draft.pk),
)
rule(
    "wagtailadmin_pages:unpublish",
    "page-publishers",
    PUBLISHERS,
    one("wagtailadmin_pages:unpublish", "news.pk"),
    post=True,
)
rule(
    "wagtailadmin_pages:convert_alias",
    "page-writers",
    WRITERS,
    one("wagtailadmin_pages:convert_alias", "alias.pk"),
    post=True,
    survives=lambda w: type(w.alias).objects.filter(pk=w.alias.pk, alias_of__isnull=False).exists(),
)
rule(
    "wagtailadmin_pages:set_privacy",
    "page-publishers",
    PUBLISHERS,
    one("wagtailadmin_pages:set_privacy", "news.pk"),
    post=True,
)
rule(
    "wagtailadmin_pages:lock",
    "page-publishers",
    PUBLISHERS,
    one("wagtailadmin_pages:lock", "news.pk"),
    get=False,
    post=True,
)
rule(
    "wagtailadmin_pages:unlock",
    "page-publishers",
    PUBLISHERS,
    one("wagtailadmin_pages:unlock", "news.pk"),
    get=False,
    post=True,
)
rule(
    "wagtailadmin_pages:revisions_unschedule",
    "page-publishers",
    PUBLISHERS,
    one("wagtailadmin_pages:revisions_unschedule", "news.pk", "news_revision.pk"),
    post=True,
)
rule(
    "wagtailadmin_pages:revisions_compare",
    "page-revisions",
    WRITERS,
    lambda w: [f"/admin/pages/{w.news.pk}/revisions/compare/earliest...{w.news_revision.pk}/"],
)
rule(
    "wagtailadmin_pages:workflow_action",
    "workflow-reviewers",
    PUBLISHERS,
    lambda w: [r("wagtailadmin_pages:workflow_action", w.in_moderation.pk, "approve", w.task_state.pk)],
    post=True,
)
rule(
    "wagtailadmin_pages:collect_workflow_action_data",
    "workflow-reviewers",
    PUBLISHERS,
    lambda w: [r("wagtailadmin_pages:collect_workflow_action_data", w.in_moderation.pk, "approve", w.task_state.pk)],
    post=True,
)
rule(
    "wagtailadmin_pages:confirm_workflow_cancellation",
    "page-writers",
    WRITERS,
    one("wagtailadmin_pages:confirm_workflow_cancellation", "in_moderation.pk"),
    get_ok=STAFF,
    hidden=lambda w: [w.in_moderation.title],
)
rule(
    "wagtailadmin_pages:workflow_preview",
    "workflow-preview",
    PUBLISHERS,
    lambda w: [r("wagtailadmin_pages:workflow_preview", w.in_moderation.pk, w.task.pk)],
)

# Wagtail's admin API (page/document/image lists for choosers and the explorer).
rule("wagtailadmin_api:pages:listing", "staff-api", STAFF, one("wagtailadmin_api:pages:listing"))
rule("wagtailadmin_api:pages:detail", "page-writers-api", WRITERS, one("wagtailadmin_api:pages:detail", "news.pk"))
rule(
    "wagtailadmin_api:pages:find", "page-writers-api", WRITERS, one("wagtailadmin_api:pages:find", query="?html_path=/")
)
rule(
    "wagtailadmin_api:pages:action",
    "page-publishers-api",
    PUBLISHERS,
    lambda w: [reverse("wagtailadmin_api:pages:action", args=[w.news.pk, "unpublish"])],
    get=False,
    post=True,
)
for kind in ("documents", "images"):
    rule(f"wagtailadmin_api:{kind}:listing", "staff-api", STAFF, one(f"wagtailadmin_api:{kind}:listing"))
    rule(f"wagtailadmin_api:{kind}:find", "staff-api", STAFF, None, note="needs a lookup query string")
rule("wagtailadmin_api:documents:detail", "staff-api", STAFF, one("wagtailadmin_api:documents:detail", "document.pk"))
rule("wagtailadmin_api:images:detail", "staff-api", STAFF, one("wagtailadmin_api:images:detail", "image.pk"))


# Bulk actions: one pattern, probed for each model and action with its own allowed roles.
def bulk_urls(w):
    """(url, allowed, survives): a refused role's POST must leave the objects as they were."""

    user_app, user_model = user_model_label()
    users = get_user_model().objects
    parent = f"&childOf={w.news.get_parent().pk}"
    news, draft = f"?id={w.news.pk}{parent}", f"?id={w.draft.pk}{parent}"

    def live(pk):
        return lambda w: Page.objects.filter(pk=pk, live=True).exists()

    def bulk(app, model, action, query):
        return r("wagtail_bulk_action", app, model, action, query=query)

    worker_b_intact = lambda w: users.filter(pk=w.worker_b.pk, is_active=True, groups__name="网格员").exists()  # noqa: E731
    return [
        # Wagtail: change+publish (审核) may delete a live leaf page; change alone (编辑) only unpublished ones.
        (bulk("wagtailcore", "page", "delete", news), PUBLISHERS, live(w.news.pk)),
        (bulk("wagtailcore", "page", "delete", draft), WRITERS, lambda w: Page.objects.filter(pk=w.draft.pk).exists()),
        (bulk("wagtailcore", "page", "move", news), PUBLISHERS, live(w.news.pk)),
        (bulk("wagtailcore", "page", "publish", draft), PUBLISHERS, lambda w: not Page.objects.get(pk=w.draft.pk).live),
        (bulk("wagtailcore", "page", "unpublish", news), PUBLISHERS, live(w.news.pk)),
        # Wagtail: change_image / change_document include deleting them (any uploader's).
        (
            bulk("wagtailimages", "image", "delete", f"?id={w.image.pk}"),
            WRITERS,
            lambda w: Image.objects.filter(pk=w.image.pk).exists(),
        ),
        (bulk("wagtailimages", "image", "add_tags", f"?id={w.image.pk}"), WRITERS, lambda w: not w.image.tags.exists()),
        (
            bulk("wagtaildocs", "document", "delete", f"?id={w.document.pk}"),
            WRITERS,
            lambda w: Document.objects.filter(pk=w.document.pk).exists(),
        ),
        (
            bulk("wagtaildocs", "document", "add_to_collection", f"?id={w.document.pk}"),
            WRITERS,
            lambda w: Document.objects.get(pk=w.document.pk).collection_id == w.collection.pk,
        ),
        (
            bulk("alliance", "merchant", "delete", f"?id={w.merchant.pk}"),
            NOBODY,
            lambda w: Merchant.objects.filter(pk=w.merchant.pk).exists(),
        ),
        (
            bulk("casework", "calendarday", "delete", f"?id={w.calendar_day.pk}"),
            PUBLISHERS,
            lambda w: CalendarDay.objects.filter(pk=w.calendar_day.pk).exists(),
        ),
        (bulk(user_app, user_model, "delete", f"?id={w.worker_b.pk}"), NOBODY, worker_b_intact),
        (bulk(user_app, user_model, "assign_role", f"?id={w.worker_b.pk}"), NOBODY, worker_b_intact),
        (bulk(user_app, user_model, "set_active_state", f"?id={w.worker_b.pk}"), NOBODY, worker_b_intact),
    ]


rule(
    "wagtail_bulk_action",
    "bulk-actions",
    NOBODY,
    bulk_urls,
    post=True,
    get_ok=STAFF,
    note="the confirmation screen lists what the user may not act on; the POST changes nothing for them",
)

# Page chooser and link choosers: used inside the page editor.
for key in (
    "wagtailadmin_choose_page",
    "wagtailadmin_choose_page_search",
    "wagtailadmin_choose_page_external_link",
    "wagtailadmin_choose_page_email_link",
    "wagtailadmin_choose_page_phone_link",
    "wagtailadmin_choose_page_anchor_link",
):
    rule(key, "staff-chooser", STAFF, one(key))
rule("wagtailadmin_choose_page_child", "staff-chooser", STAFF, one("wagtailadmin_choose_page_child", "home.pk"))
rule(
    "wagtailadmin_choose_page_chosen_multiple",
    "staff-chooser",
    STAFF,
    lambda w: [reverse("wagtailadmin_choose_page_chosen_multiple") + f"?id={w.news.pk}"],
)

# Superuser-only administration.
SUPERUSER_ONLY = {
    "wagtailadmin_collections:index": (),
    "wagtailadmin_collections:add": (),
    "wagtailadmin_collections:edit": ("private_collection.pk",),
    "wagtailadmin_collections:delete": ("private_collection.pk",),
    "wagtailadmin_collections:set_privacy": ("private_collection.pk",),
    "wagtailadmin_workflows:index": (),
    "wagtailadmin_workflows:index_results": (),
    "wagtailadmin_workflows:add": (),
    "wagtailadmin_workflows:disable": ("workflow.pk",),
    "wagtailadmin_workflows:edit": ("workflow.pk",),
    "wagtailadmin_workflows:usage": ("workflow.pk",),
    "wagtailadmin_workflows:usage_results": ("workflow.pk",),
    "wagtailadmin_workflows:select_task_type": (),
    "wagtailadmin_workflows:task_index": (),
    "wagtailadmin_workflows:task_index_results": (),
    "wagtailadmin_workflows:edit_task": ("task.pk",),
    "wagtailadmin_workflows:disable_task": ("task.pk",),
    "wagtailredirects:index": (),
    "wagtailredirects:index_results": (),
    "wagtailredirects:add": (),
    "wagtailredirects:edit": ("redirect.pk",),
    "wagtailredirects:delete": ("redirect.pk",),
    "wagtailredirects:start_import": (),
    "wagtailsites:index": (),
    "wagtailsites:index_results": (),
    "wagtailsites:add": (),
    "wagtailsites:edit": ("site.pk",),
    "wagtailsites:delete": ("site.pk",),
    "wagtailsites:history": ("site.pk",),
    "wagtailsites:history_results": ("site.pk",),
    "wagtailsites:usage": ("site.pk",),
    "wagtailsites:copy": ("site.pk",),
    "wagtailusers_users:index": (),
    "wagtailusers_users:index_results": (),
    "wagtailusers_users:add": (),
    "wagtailusers_users:edit": ("worker_b.pk",),
    "wagtailusers_users:delete": ("worker_b.pk",),
    "wagtailusers_users:history": ("worker_b.pk",),
    "wagtailusers_users:history_results": ("worker_b.pk",),
    "wagtailusers_users:usage": ("worker_b.pk",),
    "wagtailusers_users:copy": ("worker_b.pk",),
    "wagtailusers_groups:index": (),
    "wagtailusers_groups:index_results": (),
    "wagtailusers_groups:add": (),
    "wagtailusers_groups:edit": ("group.pk",),
    "wagtailusers_groups:delete": ("group.pk",),
    "wagtailusers_groups:history": ("group.pk",),
    "wagtailusers_groups:history_results": ("group.pk",),
    "wagtailusers_groups:usage": ("group.pk",),
}
for key, args in SUPERUSER_ONLY.items():
    changes = any(word in key for word in ("add", "edit", "delete", "enable", "disable", "privacy", "import", "copy"))
    rule(key, "superuser", NOBODY, one(key, *args), post=changes)
for key, args in (
    ("wagtailadmin_workflows:enable", ("workflow.pk",)),
    ("wagtailadmin_workflows:enable_task", ("task.pk",)),
):
    rule(key, "superuser", NOBODY, one(key, *args), get=False, post=True)
# Without an uploaded file in the session Wagtail's import step fails (KeyError), even for administrators.
rule(
    "wagtailredirects:process_import",
    "superuser",
    NOBODY,
    one("wagtailredirects:process_import"),
    get=False,
    post=True,
    control=False,
)


def task_count_unchanged(w):

    return Task.objects.count() == w.task_count


for key, args in (
    ("wagtailadmin_workflows:task_chooser", ()),
    ("wagtailadmin_workflows:task_chooser_results", ()),
    ("wagtailadmin_workflows:task_chooser_create", ()),
    ("wagtailadmin_workflows:task_chosen", ("task.pk",)),
):
    rule(
        key,
        "workflow-task-chooser",
        NOBODY,
        one(key, *args),
        post=key.endswith("create"),
        get_ok=STAFF,
        survives=task_count_unchanged,
        note="Wagtail's task chooser checks admin access only; it names tasks, creating one is refused",
    )
rule(
    "wagtailadmin_workflows:remove",
    "superuser",
    NOBODY,
    lambda w: [
        r("wagtailadmin_workflows:remove", w.home.pk),
        reverse("wagtailadmin_workflows:remove", args=[w.home.pk, w.workflow.pk]),
    ],
    get=False,
    post=True,
)
rule(
    "wagtailadmin_workflows:add_task",
    "superuser",
    NOBODY,
    lambda w: [reverse("wagtailadmin_workflows:add_task", args=["wagtailcore", "groupapprovaltask"])],
    post=True,
)
# Settings: OfficeSettings has no group permission, so only administrators edit it.
rule(
    "wagtailsettings:edit",
    "superuser",
    NOBODY,
    lambda w: [
        reverse("wagtailsettings:edit", args=["home", "officesettings"]),
        reverse("wagtailsettings:edit", args=["home", "officesettings", w.site.pk]),
    ],
    post=True,
)
rule(
    "wagtailsettings:preview_on_edit",
    "superuser-preview",
    NOBODY,
    lambda w: [reverse("wagtailsettings:preview_on_edit", args=["home", "officesettings", w.site.pk])],
    post=True,
    control=False,
    note="OfficeSettings is not previewable: 404 for everybody",
)

for key in (
    "wagtailadmin_reports:aging_pages",
    "wagtailadmin_reports:aging_pages_results",
    "wagtailadmin_reports:page_types_usage",
    "wagtailadmin_reports:page_types_usage_results",
):
    rule(key, "page-writers-report", WRITERS, one(key))
for key in ("wagtailadmin_reports:site_history", "wagtailadmin_reports:site_history_results"):
    rule(
        key,
        "history-report",
        WRITERS,
        one(key),
        get_ok=STAFF,
        hidden=lambda w: [w.news.title, w.in_moderation.title, w.merchant.name],
        note="lists only what the user has permissions on: nothing for grid workers",
    )

# Reports open to page writers (they list pages the user can edit).
rule("wagtailadmin_reports:locked_pages", "page-publishers", PUBLISHERS, one("wagtailadmin_reports:locked_pages"))
rule(
    "wagtailadmin_reports:locked_pages_results",
    "page-publishers",
    PUBLISHERS,
    one("wagtailadmin_reports:locked_pages_results"),
)
rule("wagtailadmin_reports:workflow", "page-writers", WRITERS, one("wagtailadmin_reports:workflow"))
rule("wagtailadmin_reports:workflow_results", "page-writers", WRITERS, one("wagtailadmin_reports:workflow_results"))
rule("wagtailadmin_reports:workflow_tasks", "page-writers", WRITERS, one("wagtailadmin_reports:workflow_tasks"))
rule(
    "wagtailadmin_reports:workflow_tasks_results",
    "page-writers",
    WRITERS,
    one("wagtailadmin_reports:workflow_tasks_results"),
)

# Questionnaire submissions (Wagtail form pages): residents' answers, for page writers.
rule("wagtailforms:index", "form-submissions", WRITERS, one("wagtailforms:index"))
rule("wagtailforms:index_results", "form-submissions", WRITERS, one("wagtailforms:index_results"))
rule(
    "wagtailforms:list_submissions",
    "form-submissions",
    WRITERS,
    many(
        one("wagtailforms:list_submissions", "questionnaire.pk"),
        one("wagtailforms:list_submissions", "questionnaire.pk", query="?export=csv"),
    ),
)
rule(
    "wagtailforms:list_submissions_results",
    "form-submissions",
    WRITERS,
    one("wagtailforms:list_submissions_results", "questionnaire.pk"),
)
rule(
    "wagtailforms:delete_submissions",
    "form-submissions-delete",
    WRITERS,
    lambda w: [
        r("wagtailforms:delete_submissions", w.questionnaire.pk, query=f"?selected-submissions={w.submission.pk}")
    ],
    post=True,
)

# Embeds, documents, images.
rule("wagtailembeds:chooser", "staff-chooser", STAFF, one("wagtailembeds:chooser"))
rule("wagtailembeds:chooser_upload", "staff-chooser", STAFF, one("wagtailembeds:chooser_upload"), get=False, post=True)
rule(
    "wagtailsnippets:index",
    "superuser",
    NOBODY,
    one("wagtailsnippets:index"),
    control=False,
    note="every snippet sits in its own menu group: the generic index redirects everybody to the dashboard",
)
for key, args, allowed, changes in (
    ("wagtaildocs:index", (), WRITERS, False),
    ("wagtaildocs:index_results", (), WRITERS, False),
    ("wagtaildocs:add", (), WRITERS, True),
    ("wagtaildocs:edit", ("document.pk",), WRITERS, True),
    ("wagtaildocs:delete", ("document.pk",), WRITERS, True),
    ("wagtaildocs:add_multiple", (), WRITERS, True),
    ("wagtaildocs:document_usage", ("document.pk",), WRITERS, False),
    ("wagtailimages:index", (), WRITERS, False),
    ("wagtailimages:index_results", (), WRITERS, False),
    ("wagtailimages:add", (), WRITERS, True),
    ("wagtailimages:edit", ("image.pk",), WRITERS, True),
    ("wagtailimages:delete", ("image.pk",), WRITERS, True),
    ("wagtailimages:image_usage", ("image.pk",), WRITERS, False),
    ("wagtailimages:add_multiple", (), WRITERS, True),
    ("wagtaildocs_chooser:chosen", ("document.pk",), WRITERS, False),
    ("wagtaildocs_chooser:create", (), WRITERS, True),
    ("wagtailimages_chooser:chosen", ("image.pk",), WRITERS, False),
    ("wagtailimages_chooser:create", (), WRITERS, True),
    ("wagtailimages_chooser:select_format", ("image.pk",), WRITERS, True),
):
    rule(key, "media", allowed, one(key, *args), post=changes)
for key, args in (
    ("wagtaildocs:edit_multiple", ("document.pk",)),
    ("wagtaildocs:delete_multiple", ("document.pk",)),
    ("wagtailimages:edit_multiple", ("image.pk",)),
    ("wagtailimages:delete_multiple", ("image.pk",)),
):
    rule(key, "media", WRITERS, one(key, *args), get=False, post=True)
for key in (
    "wagtaildocs_chooser:choose",
    "wagtaildocs_chooser:choose_results",
    "wagtailimages_chooser:choose",
    "wagtailimages_chooser:choose_results",
):
    rule(
        key,
        "media-chooser",
        WRITERS,
        one(key),
        get_ok=STAFF,
        hidden=lambda w: [w.document.title, w.image.title],
        note="lists only what the user may choose: nothing for grid workers",
    )
for key in ("wagtailimages:url_generator", "wagtailimages:url_generator_output"):
    rule(key, "media", NOBODY, one(key, "image.pk"), control=False, note="no image serve view installed: 404 for all")
rule(
    "wagtailimages:preview",
    "image-download",
    WRITERS,
    lambda w: [reverse("wagtailimages:preview", args=[w.image.pk, "original"])],
)
rule(
    "wagtaildocs_chooser:chosen_multiple",
    "media",
    WRITERS,
    lambda w: [reverse("wagtaildocs_chooser:chosen_multiple") + f"?id={w.document.pk}"],
    get_ok=STAFF,
    hidden=lambda w: [w.document.title],
)
rule(
    "wagtailimages_chooser:chosen_multiple",
    "media",
    WRITERS,
    lambda w: [reverse("wagtailimages_chooser:chosen_multiple") + f"?id={w.image.pk}"],
    get_ok=STAFF,
    hidden=lambda w: [w.image.title],
)
# Pending multiple-upload files belong to the editor who uploaded them.
ED_ONLY = frozenset({ED})
rule(
    "wagtaildocs:create_multiple_from_uploaded_document",
    "own-upload",
    ED_ONLY,
    one("wagtaildocs:create_multiple_from_uploaded_document", "uploaded_document.pk"),
    get=False,
    post=True,
    control=False,
)
rule(
    "wagtaildocs:delete_upload_multiple",
    "own-upload",
    ED_ONLY,
    one("wagtaildocs:delete_upload_multiple", "uploaded_document.pk"),
    get=False,
    post=True,
    control=False,
)
rule(
    "wagtailimages:create_multiple_from_uploaded_image",
    "own-upload",
    ED_ONLY,
    one("wagtailimages:create_multiple_from_uploaded_image", "uploaded_image.pk"),
    get=False,
    post=True,
    control=False,
)
rule(
    "wagtailimages:delete_upload_multiple",
    "own-upload",
    ED_ONLY,
    one("wagtailimages:delete_upload_multiple", "uploaded_image.pk"),
    get=False,
    post=True,
    control=False,
)

# Snippets: the registry (view for 编辑, keep for 审核, delete for administrators) and intake settings.
SNIPPETS = {
    # model: (object attribute, view roles, add/change roles, delete roles)
    ("alliance", "merchant"): ("merchant", WRITERS, PUBLISHERS, NOBODY),
    ("alliance", "community"): ("x", WRITERS, PUBLISHERS, NOBODY),
    ("alliance", "grid"): ("grid_a", WRITERS, PUBLISHERS, NOBODY),
    ("intake", "convention"): ("convention", WRITERS, PUBLISHERS, NOBODY),
    ("casework", "casecategory"): ("category", PUBLISHERS, PUBLISHERS, NOBODY),
    ("casework", "calendarday"): ("calendar_day", PUBLISHERS, PUBLISHERS, PUBLISHERS),
    # API keys: superusers only, unless an administrator grants a group the model's permissions.
    ("casework", "open311client"): ("open311_client", NOBODY, NOBODY, NOBODY),
    ("points", "activity"): ("activity", WRITERS, WRITERS, PUBLISHERS),
    ("evaluation", "evaluationround"): ("evaluation_round", WRITERS, PUBLISHERS, NOBODY),
}
for (app, model), (attr, view, change, delete) in SNIPPETS.items():
    ns = f"wagtailsnippets_{app}_{model}"
    choosers = f"wagtailsnippetchoosers_{app}_{model}"
    adders = change if model != "casecategory" else NOBODY  # 审核 may change categories, not add them
    rule(f"{ns}:list", "snippet-view", view, one(f"{ns}:list"))
    rule(f"{ns}:list_results", "snippet-view", view, one(f"{ns}:list_results"))
    rule(f"{ns}:add", "snippet-add", adders, one(f"{ns}:add"), post=True)
    rule(f"{ns}:edit", "snippet-change", change, one(f"{ns}:edit", f"{attr}.pk"), post=True)
    rule(f"{ns}:copy", "snippet-add", adders, one(f"{ns}:copy", f"{attr}.pk"))
    rule(
        f"{ns}:delete", "snippet-delete", delete, one(f"{ns}:delete", f"{attr}.pk"), post=True
    )  # Usage and history need more than view: Wagtail shows them to those who may change the snippet.
    rule(f"{ns}:usage", "snippet-usage", change, one(f"{ns}:usage", f"{attr}.pk"))
    rule(f"{ns}:history", "snippet-history", change, one(f"{ns}:history", f"{attr}.pk"))
    rule(
        f"{ns}:history_results", "snippet-history", change, one(f"{ns}:history_results", f"{attr}.pk")
    )  # Wagtail's snippet choosers check admin access only (they sit inside page and snippet editors).
    chooser = {"get_ok": STAFF, "note": "Wagtail snippet choosers check admin access only"}
    rule(f"{choosers}:choose", "snippet-chooser", view, one(f"{choosers}:choose"), **chooser)
    rule(f"{choosers}:choose_results", "snippet-chooser", view, one(f"{choosers}:choose_results"), **chooser)
    rule(f"{choosers}:chosen", "snippet-chooser", view, one(f"{choosers}:chosen", f"{attr}.pk"), **chooser)
    rule(
        f"{choosers}:chosen_multiple",
        "snippet-chooser",
        view,
        lambda w, c=choosers, a=attr: [reverse(f"{c}:chosen_multiple") + f"?id={getattr(w, a).pk}"],
        **chooser,
    )
    rule(f"{choosers}:create", "snippet-add", adders, one(f"{choosers}:create"), post=True)

# An issued key is never copied (a copy would need a new key anyway): that view is off.
del RULES["wagtailsnippets_casework_open311client:copy"]

# Exports of snippet listings: explicit probes on the list rows above, as extra URLs.
for app, model in (("alliance", "merchant"), ("alliance", "community"), ("alliance", "grid")):
    ns = f"wagtailsnippets_{app}_{model}"
    RULES[f"{ns}:list"].urls = many(
        one(f"{ns}:list"), one(f"{ns}:list", query="?export=csv"), one(f"{ns}:list", query="?export=xlsx")
    )
    RULES[f"{ns}:list"].kind = "snippet-view-export"

# Families classified in bulk (no family is left here that has its own row above).
PREFIX_RULES = []
