"""A case once it exists: the report (GrievanceReport) with the domain rules of its queryset, its
events (CaseEvent), photos, categories with their time limits, the staff-entered calendar days,
and the daily reference numbers.

The tables keep the names they had when cases lived in the intake app (`intake_*`): migration
casework/0001 moved the models here without touching a row. How a case moves from state to state
is in transitions.py; who may see which case is `GrievanceReport.objects.visible_to(user)`.

Shared with the merchant applications of forms/apply (which build on this app): the abstract
`Submission` (a reference, a private-link secret kept only as a hash, an idempotency key) and the
abstract `PrivatePhoto` served by one strict file response.
"""

import datetime
import hashlib
import secrets
from collections import namedtuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import BooleanField, Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from alliance.models import Community, Grid, GridArea, Merchant
from portal.privacy import mask_mobile, mask_name
from portal.privatefiles import private_file_response, private_storage

# --- Shared by every kind of submission (cases here, merchant applications in forms/apply) ---


def hash_secret(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret():
    return secrets.token_urlsafe(32)


class DailySequence(models.Model):
    """The last reference number handed out on a day; updated under a row lock."""

    prefix = models.CharField(max_length=4)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "intake_dailysequence"
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="unique_sequence_per_day")]

    def __str__(self):
        return f"{self.prefix}-{self.day:%Y%m%d}-{self.last:04d}"

    @classmethod
    def next_reference(cls, prefix, now=None):
        """SJ-20261122-0042: the day's next number, unique under concurrency.

        Call inside the transaction that stores the record: the UPDATE keeps the day's row
        locked until commit, so concurrent submitters queue for numbers instead of sharing one.
        """
        day = timezone.localdate(now)
        with transaction.atomic():
            if not cls.objects.filter(prefix=prefix, day=day).update(last=F("last") + 1):
                try:
                    with transaction.atomic():
                        cls.objects.create(prefix=prefix, day=day, last=1)
                except IntegrityError:
                    # Another submitter created today's row first; take the next number after theirs.
                    cls.objects.filter(prefix=prefix, day=day).update(last=F("last") + 1)
            last = cls.objects.values_list("last", flat=True).get(prefix=prefix, day=day)
        return f"{prefix}-{day:%Y%m%d}-{last:04d}"


class Submission(models.Model):
    """What a resident or shopkeeper sent through a public wizard, found again three ways.

    - `reference` (SJ-20261122-0042), read out on the phone and typed with a mobile's last digits;
    - a private link whose secret is shown once and stored only as its hash;
    - `submission_key`, one per wizard run, so a double click or a resubmit stores one record.
    """

    reference = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    submission_key = models.CharField(max_length=64, unique=True, editable=False)

    # Set by each kind: SJ for cases, RM for merchant applications.
    REFERENCE_PREFIX = ""

    class Meta:
        abstract = True

    def check_secret(self, secret):
        return secrets.compare_digest(self.secret_hash, hash_secret(secret or ""))

    @classmethod
    def new_identity(cls, submission_key, now):
        """({reference, secret_hash, submission_key}, the private-link secret) for a new record.

        Call inside the transaction that creates it: the day's reference number stays locked until commit.
        """
        secret = new_secret()
        fields = {
            "reference": DailySequence.next_reference(cls.REFERENCE_PREFIX, now),
            "secret_hash": hash_secret(secret),
            "submission_key": submission_key,
        }
        return fields, secret


def private_photo_path(instance, filename):
    # Names come from the sanitiser (random hex); grouping by month keeps folders small.
    return timezone.now().strftime(f"{instance.upload_folder}/%Y/%m/") + filename


class PrivatePhoto(models.Model):
    """A photo a resident or shopkeeper sent: private storage only, served by `response()`."""

    upload_folder = "photos"

    file = models.FileField(_("照片"), storage=private_storage, upload_to=private_photo_path, max_length=200)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def response(self):
        """The photo for someone the view has already allowed to see it."""
        return private_file_response(self.file)


# --- Categories and the calendar ---------------------------------------------------------


class CalendarDay(models.Model):
    """A holiday or make-up work day entered by staff; overrides the holiday library."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(
        _("是工作日"), default=False, help_text=_("不勾选表示放假；勾选表示调休上班（如周末补班）")
    )
    note = models.CharField(_("说明"), max_length=60, blank=True, help_text=_("例如：春节、国庆节调休上班"))

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("is_workday")]), FieldPanel("note")]

    class Meta:
        db_table = "intake_calendarday"
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self):
        kind = _("上班") if self.is_workday else _("放假")
        return f"{self.date:%Y-%m-%d} {kind} {self.note}".strip()


class CaseCategory(models.Model):
    """A kind of grievance with the time limits staff set for it."""

    slug = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True, help_text=_("例如：油烟扰民"))
    explanation = models.CharField(
        _("一句话说明"), max_length=120, help_text=_("居民选择类别时看到的解释，例如：饭店排烟影响居民开窗、晾晒")
    )
    accept_within_hours = models.PositiveSmallIntegerField(
        _("受理时限（工作小时）"), default=4, help_text=_("收到后多少个工作小时内必须受理或不予受理")
    )
    resolve_within_days = models.PositiveSmallIntegerField(
        _("办结时限（工作日）"), default=5, help_text=_("受理后多少个工作日内必须办结")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    emergency_notice = models.BooleanField(
        _("提醒紧急求助电话"),
        default=False,
        help_text=_("居民选择这一类时，再次提醒：起火、燃气泄漏等紧急情况请立即拨打 119 / 110 / 120"),
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldPanel("explanation"),
        FieldRowPanel([FieldPanel("accept_within_hours"), FieldPanel("resolve_within_days")]),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("active")]),
        FieldPanel("emergency_notice"),
    ]

    class Meta:
        db_table = "intake_casecategory"
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name


# --- Cases -------------------------------------------------------------------------------


class State(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    RETURNED = "returned", _("已退单")
    RESOLVED = "resolved", _("已办结")
    FOLLOWED_UP = "followed_up", _("已回访")
    CLOSED = "closed", _("已归档")
    DECLINED = "declined", _("不予受理")
    DUPLICATE = "duplicate", _("重复件")


# A case in one of these states needs no more work towards its resolve deadline.
FINISHED_STATES = frozenset({State.RESOLVED, State.FOLLOWED_UP, State.CLOSED, State.DECLINED, State.DUPLICATE})
# The reporter may rate the result once it is resolved, until it is reopened.
RATEABLE_STATES = frozenset({State.RESOLVED, State.FOLLOWED_UP, State.CLOSED})


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


GOOD_RATINGS = frozenset({Rating.SATISFIED, Rating.BASICALLY})


class Frequency(models.TextChoices):
    """How often the problem happens, as the resident says it in the wizard."""

    ONCE = "once", _("只有一次")
    DAILY = "daily", _("几乎每天")
    WEEKLY = "weekly", _("每周几次")
    OCCASIONALLY = "occasionally", _("偶尔")


class Channel(models.TextChoices):
    """How a case reached the office. The wizard sets 网上, the Open311 API 接口; staff taking a case
    by phone, at the counter or on patrol pick the others."""

    PHONE = "phone", _("电话")
    VISIT = "visit", _("来访")
    PATROL = "patrol", _("网格员巡查")
    ONLINE = "online", _("网上")
    SENTINEL = "sentinel", _("商户网格哨兵")
    API = "api", _("接口(API)")


def accept_late_q(now=None):
    """The acceptance deadline passed while the case still waits to be accepted or declined."""
    return Q(state=State.SUBMITTED, accept_due__lt=now or timezone.now())


def resolve_late_q(now=None):
    """The resolution deadline passed while the case is unfinished."""
    return Q(resolve_due__lt=now or timezone.now()) & ~Q(state__in=FINISHED_STATES)


def late_q(now=None):
    """Past a deadline not met: accept_due while still submitted, or resolve_due while unfinished."""
    now = now or timezone.now()
    return accept_late_q(now) | resolve_late_q(now)


def overdue_q(now=None):
    """Flagged by supervise_cases and still unfinished, or late now (the command runs on a schedule)."""
    return (Q(overdue=True) & ~Q(state__in=FINISHED_STATES)) | late_q(now)


CaseworkScope = namedtuple("CaseworkScope", "communities grids")


def casework_scope(user):
    """The ids of the communities `user` moderates and of the grids they work, in one query.

    Kept on the user object, which lives for one request (menus, permission checks and the inbox
    all ask); a long-lived user object is asked again only once a new one is loaded.
    """
    scope = getattr(user, "_casework_scope", None)
    if scope is None:
        moderated = Community.moderators.through.objects.filter(user_id=user.pk).values_list(
            "community_id", Value(0, output_field=IntegerField())
        )
        worked = Grid.workers.through.objects.filter(user_id=user.pk).values_list(
            "grid_id", Value(1, output_field=IntegerField())
        )
        rows = list(moderated.union(worked, all=True))
        scope = CaseworkScope(
            communities=sorted(pk for pk, kind in rows if kind == 0), grids=sorted(pk for pk, kind in rows if kind == 1)
        )
        user._casework_scope = scope
    return scope


class GrievanceReportQuerySet(models.QuerySet):
    """The domain rules about sets of cases: who sees them, which are open, late or overdue."""

    def visible_to(self, user):
        """Every case for a superuser; a moderator's communities; a worker's grids and assigned cases.

        The one rule for who may see a case: every view that shows a case or personal data filters
        through it (menus are no substitute). The user's community and grid ids are read first
        (casework_scope) and the cases filtered by those values: with id subqueries inside the OR,
        PostgreSQL scanned all 100,000 cases of a district (100 ms for the inbox's count); with
        values it combines the (community|grid|assignee) indexes. Each case matches at most once,
        so no DISTINCT.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        scope = casework_scope(user)
        return self.filter(Q(community_id__in=scope.communities) | Q(grid_id__in=scope.grids) | Q(assignee_id=user.pk))

    def moderated_by(self, user):
        """The cases of the communities `user` moderates (all for a superuser)."""
        if user.is_superuser:
            return self
        return self.filter(community_id__in=casework_scope(user).communities)

    def open(self):
        return self.exclude(state__in=FINISHED_STATES)

    def finished(self):
        return self.filter(state__in=FINISHED_STATES)

    def late(self, now=None):
        return self.filter(late_q(now))

    def overdue(self, now=None):
        return self.filter(overdue_q(now))

    def not_overdue(self, now=None):
        return self.exclude(overdue_q(now))

    def due_for_supervision(self, now=None):
        """Late and not yet supervised: what the next supervise_cases run flags."""
        return self.late(now).filter(supervised_at__isnull=True)

    def with_lateness(self, now=None):
        """Each case annotated with `is_late` (overdue now), and `accept_late` / `resolve_late` (that
        deadline missed), for lists that mark late rows and deadlines."""
        now = now or timezone.now()

        def flag(condition):
            return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())

        return self.annotate(
            is_late=flag(overdue_q(now)), accept_late=flag(accept_late_q(now)), resolve_late=flag(resolve_late_q(now))
        )

    def dashboard_counts(self, now=None):
        """Open, overdue and due-today cases of this set, in one query."""
        now = now or timezone.now()
        start = datetime.datetime.combine(
            timezone.localdate(now), datetime.time.min, tzinfo=timezone.get_current_timezone()
        )
        end = start + datetime.timedelta(days=1)
        unfinished = ~Q(state__in=FINISHED_STATES)
        due_today = Q(state=State.SUBMITTED, accept_due__gte=start, accept_due__lt=end) | (
            unfinished & Q(resolve_due__gte=start, resolve_due__lt=end)
        )
        return GrievanceReport.objects.filter(pk__in=self.values("pk")).aggregate(
            open=Count("pk", filter=unfinished),
            overdue=Count("pk", filter=overdue_q(now)),
            due_today=Count("pk", filter=due_today),
        )

    def link_reporter(self, user, mobile):
        """Link the cases reported with `mobile` to the account that verified it; returns how many."""
        if not mobile:
            return 0
        return self.filter(reporter_mobile=mobile, anonymous=False, reporter_user__isnull=True).update(
            reporter_user=user
        )

    def closed_before(self, moment):
        """Archived before `moment` with the reporter's contact still held (for purge_contacts)."""
        return self.filter(state=State.CLOSED, closed_at__lt=moment, contact_purged_at__isnull=True)


class GrievanceReport(Submission):
    """A resident's (or merchant sentinel's) report: one case with its deadlines and state."""

    REFERENCE_PREFIX = "SJ"
    State = State
    Rating = Rating
    Frequency = Frequency
    Channel = Channel

    category = models.ForeignKey(CaseCategory, on_delete=models.PROTECT, related_name="reports", verbose_name=_("类别"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="reports", verbose_name=_("社区"))
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="reports", verbose_name=_("网格"))
    # The street or building the resident chose; the grid was routed from it. None with
    # place_unsure when they did not know (routed to the community's first grid, for staff to check),
    # and for cases taken before residents chose one or whose area was removed since.
    area = models.ForeignKey(
        GridArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("街巷或楼栋"),
    )
    # A database default too: app servers still on the previous code insert rows without it during a deploy.
    place_unsure = models.BooleanField(_("居民不清楚街巷或楼栋"), default=False, db_default=False)
    address = models.CharField(_("地点"), max_length=200)
    description = models.TextField(_("情况描述"), max_length=2000)
    since = models.CharField(_("开始时间"), max_length=60, blank=True)
    frequency = models.CharField(_("发生频率"), max_length=60, blank=True, choices=Frequency.choices)
    anonymous = models.BooleanField(_("匿名反映"), default=False)
    # A database default too, as place_unsure: servers still on the previous code insert without it.
    channel = models.CharField(
        _("来源渠道"), max_length=20, choices=Channel.choices, default=Channel.ONLINE, db_default=Channel.ONLINE
    )
    reporter_name = models.CharField(_("姓名"), max_length=40, blank=True)
    reporter_mobile = models.CharField(_("手机"), max_length=11, blank=True)
    reporter_email = models.EmailField(_("电子邮箱"), blank=True)
    consented_at = models.DateTimeField(_("同意个人信息告知的时间"), null=True, blank=True)
    # The reporter's own account on the public site, linked when they signed in with the mobile
    # they reported with (their 我的 page lists the case).
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
        verbose_name=_("反映人账号"),
    )

    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.SUBMITTED, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_reports",
        verbose_name=_("承办网格员"),
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates", verbose_name=_("重复于")
    )
    # The shop the case is about, set by staff on the case page: the quarter's evaluation shows the
    # cases about each shop beside its result (evaluation reads this; casework does not know it).
    merchant = models.ForeignKey(
        Merchant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grievance_reports",
        verbose_name=_("涉及商户"),
        help_text=_("这件诉求涉及的商户，由工作人员在工单页面设置"),
    )
    accept_due = models.DateTimeField(_("受理期限"))
    resolve_due = models.DateTimeField(_("办结期限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    overdue = models.BooleanField(_("超期"), default=False, db_index=True)
    supervised_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    contact_purged_at = models.DateTimeField(_("联系方式清除时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GrievanceReportQuerySet.as_manager()

    class Meta:
        db_table = "intake_grievancereport"
        verbose_name = _("民情诉求")
        verbose_name_plural = _("民情诉求")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["grid", "state", "resolve_due"]),
            models.Index(fields=["community", "state", "resolve_due"]),
            # The superuser's inbox over every case, in its default order (办结期限, then id).
            models.Index(fields=["resolve_due", "id"], name="intake_report_inbox_order"),
            # The unfinished cases (7% of a district's 100,000) in the same order: 超期 over every case
            # (overdue_q; each of its branches implies unfinished) reads this instead of the table.
            models.Index(
                fields=["resolve_due", "id"],
                condition=~Q(state__in=sorted(FINISHED_STATES)),
                name="intake_report_open_order",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.category}"

    @property
    def masked_mobile(self):
        return mask_mobile(self.reporter_mobile) if self.reporter_mobile else ""

    @property
    def masked_name(self):
        """张** style, for roles that do not need the full name."""
        return mask_name(self.reporter_name, self.anonymous)

    @property
    def has_contact(self):
        return bool(self.reporter_name or self.reporter_mobile or self.reporter_email)

    @property
    def place_label(self):
        """Where, as the reporter chose it: the community with their street or building, else 不清楚.

        Shown to the reporter on the tracking page. The grid is the office's word for who handles
        it, so it appears only for cases taken before residents chose a street or building.
        """
        if self.area_id is not None:
            return f"{self.community.name} · {self.area.name}"
        if self.place_unsure:
            return f"{self.community.name} · {_('不清楚具体街巷或楼栋')}"
        return f"{self.community.name} · {self.grid.name}"

    @property
    def is_finished(self):
        return self.state in FINISHED_STATES

    @property
    def is_rateable(self):
        return self.state in RATEABLE_STATES and not self.rating

    @property
    def current_result(self):
        """The result that stands: none while a reopened case is being redone (the old one is in the history)."""
        return self.result if self.state in RATEABLE_STATES else ""

    @property
    def pending_deadlines(self):
        """(label, moment) of the deadlines still ahead of this case, as the reporter is told them."""
        deadlines = []
        if self.state == State.SUBMITTED:
            deadlines.append((_("受理期限"), self.accept_due))
        if self.state not in FINISHED_STATES:
            deadlines.append((_("办结期限"), self.resolve_due))
        return deadlines


class CaseEvent(models.Model):
    """One thing that happened to a case: who did what, when, with a note that may be public.

    Written only by casework.transitions.record().
    """

    class Action(models.TextChoices):
        ACCEPT = "accept", _("受理")
        DECLINE = "decline", _("不予受理")
        MARK_DUPLICATE = "mark_duplicate", _("标记为重复件")
        DISPATCH = "dispatch", _("派单")
        TRANSFER = "transfer", _("转办")
        RETURN = "return", _("退单")
        START = "start", _("开始办理")
        RESOLVE = "resolve", _("办结")
        FOLLOW_UP = "follow_up", _("回访")
        REOPEN = "reopen", _("重办")
        CLOSE = "close", _("归档")
        # Recorded without a change of state:
        RATE = "rate", _("反映人评价")
        SUPERVISE = "supervise", _("督办")
        REVEAL_CONTACT = "reveal_contact", _("查看完整联系方式")
        PURGE_CONTACT = "purge_contact", _("清除联系方式")
        LINK_MERCHANT = "link_merchant", _("关联商户")

    report = models.ForeignKey(GrievanceReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True, choices=State.choices)
    to_state = models.CharField(_("新状态"), max_length=20, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("操作人")
    )
    note = models.TextField(_("说明"), blank=True, max_length=2000)
    public = models.BooleanField(_("对反映人公开"), default=False)
    # Set on "rate" events: the case's own rating is cleared when 不满意 reopens it, this stays.
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        db_table = "intake_caseevent"
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.report.reference} {self.get_action_display()}"


class CasePhoto(PrivatePhoto):
    """A photo attached to a case by the reporter or with the result."""

    upload_folder = "reports"

    class Kind(models.TextChoices):
        REPORT = "report", _("反映人照片")
        RESULT = "result", _("办结照片")

    report = models.ForeignKey(GrievanceReport, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.REPORT)

    class Meta(PrivatePhoto.Meta):
        db_table = "intake_casephoto"
        verbose_name = _("工单照片")
        verbose_name_plural = _("工单照片")

    def __str__(self):
        return f"{self.report.reference} {self.get_kind_display()}"


# --- Open311 API clients ----------------------------------------------------------------------


class Open311ClientQuerySet(models.QuerySet):
    def holding(self, key):
        """The active client whose key this is, or None (a revoked or unknown key alike)."""
        if not key or len(key) > 200:
            return None
        return self.filter(key_hash=hash_secret(key), active=True).first()


class Open311Client(models.Model):
    """A program allowed to POST requests to the Open311 API (casework/open311.py), with its key.

    The key is shown once, on the page that issues it, and kept only as its hash; its first
    characters (key_prefix) tell staff which key a partner holds. Revoking is for good: a client
    whose key leaked gets a new client and a new key.
    """

    KEY_PREFIX = "sj311_"

    name = models.CharField(
        _("名称"), max_length=60, unique=True, help_text=_("使用这个密钥的单位或程序，例如：区 12345 热线转办系统")
    )
    key_prefix = models.CharField(_("密钥开头"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(
        _("启用"), default=True, help_text=_("取消勾选即吊销：此后用这个密钥提交一律被拒绝，且不能恢复")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("签发人"),
    )
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)

    objects = Open311ClientQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("active")]

    class Meta:
        verbose_name = _("Open311 接口密钥")
        verbose_name_plural = _("Open311 接口密钥")
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.active and self.revoked_at is None:
            self.revoked_at = timezone.now()
        super().save(*args, **kwargs)

    def new_key(self):
        """Give this client a fresh key and return it (the only time it exists in clear)."""
        key = self.KEY_PREFIX + secrets.token_urlsafe(32)
        self.key_hash = hash_secret(key)
        self.key_prefix = key[: len(self.KEY_PREFIX) + 4]
        return key

    def clean(self):
        super().clean()
        if self.revoked_at and self.active:
            raise ValidationError({"active": _("已吊销的密钥不能恢复，请为这个单位新建一个密钥。")})

    def touch(self, now=None):
        """Note the key's use (one UPDATE; the row is not locked)."""
        Open311Client.objects.filter(pk=self.pk).update(last_used_at=now or timezone.now())
