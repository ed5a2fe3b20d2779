"""What comes in: grievance reports (cases) and their events, and the working-day calendar.

Merchant applications, questionnaires and notifications follow in later steps of the
intake issue; the case state machine lives in casework.py.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
from wagtail.fields import RichTextField

from alliance.models import Community, Grid, Merchant
from alliance.validators import mask_mobile


class CalendarDay(models.Model):
    """A holiday or make-up work day entered by staff; overrides the holiday library."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(
        _("是工作日"), default=False, help_text=_("不勾选表示放假；勾选表示调休上班（如周末补班）")
    )
    note = models.CharField(_("说明"), max_length=60, blank=True, help_text=_("例如：春节、国庆节调休上班"))

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("is_workday")]), FieldPanel("note")]

    class Meta:
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

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldPanel("explanation"),
        FieldRowPanel([FieldPanel("accept_within_hours"), FieldPanel("resolve_within_days")]),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("active")]),
    ]

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name


class DailySequence(models.Model):
    """The last reference number handed out on a day; updated under a row lock."""

    prefix = models.CharField(max_length=4)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="unique_sequence_per_day")]

    def __str__(self):
        return f"{self.prefix}-{self.day:%Y%m%d}-{self.last:04d}"


def hash_secret(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret():
    return secrets.token_urlsafe(32)


class GrievanceReport(models.Model):
    """A resident's (or merchant sentinel's) report: one case with its deadlines and state."""

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

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    reference = models.CharField(_("工单编号"), max_length=20, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    submission_key = models.CharField(max_length=64, unique=True, editable=False)
    category = models.ForeignKey(CaseCategory, on_delete=models.PROTECT, related_name="reports", verbose_name=_("类别"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="reports", verbose_name=_("社区"))
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="reports", verbose_name=_("网格"))
    address = models.CharField(_("地点"), max_length=200)
    description = models.TextField(_("情况描述"), max_length=2000)
    since = models.CharField(_("开始时间"), max_length=60, blank=True)
    frequency = models.CharField(_("发生频率"), max_length=60, blank=True)
    anonymous = models.BooleanField(_("匿名反映"), default=False)
    reporter_name = models.CharField(_("姓名"), max_length=40, blank=True)
    reporter_mobile = models.CharField(_("手机"), max_length=11, blank=True)
    reporter_email = models.EmailField(_("电子邮箱"), blank=True)
    consented_at = models.DateTimeField(_("同意个人信息告知的时间"), null=True, blank=True)

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

    class Meta:
        verbose_name = _("民情诉求")
        verbose_name_plural = _("民情诉求")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["grid", "state", "resolve_due"]),
            models.Index(fields=["community", "state", "resolve_due"]),
            # The superuser's inbox over every case, in its default order (办结期限, then id).
            models.Index(fields=["resolve_due", "id"], name="intake_report_inbox_order"),
        ]

    def __str__(self):
        return f"{self.reference} {self.category}"

    @property
    def masked_mobile(self):
        return mask_mobile(self.reporter_mobile) if self.reporter_mobile else ""

    @property
    def masked_name(self):
        """张** style, for roles that do not need the full name."""
        if self.anonymous or not self.reporter_name:
            return _("匿名")
        return self.reporter_name[0] + "*" * max(len(self.reporter_name) - 1, 1)

    def check_secret(self, secret):
        return secrets.compare_digest(self.secret_hash, hash_secret(secret or ""))


class CaseEvent(models.Model):
    """One transition of a case: who did what, when, with a note that may be public."""

    report = models.ForeignKey(GrievanceReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True, choices=GrievanceReport.State.choices)
    to_state = models.CharField(_("新状态"), max_length=20, choices=GrievanceReport.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("操作人")
    )
    note = models.TextField(_("说明"), blank=True, max_length=2000)
    public = models.BooleanField(_("对反映人公开"), default=False)
    # Set on "rate" events: the case's own rating is cleared when 不满意 reopens it, this stays.
    rating = models.CharField(_("评价"), max_length=12, choices=GrievanceReport.Rating.choices, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.report.reference} {self.action}"


def private_storage():
    from django.core.files.storage import storages

    return storages["private"]


def case_photo_path(instance, filename):
    # Names come from the sanitiser (random hex); grouping by month keeps folders small.
    return timezone.now().strftime("reports/%Y/%m/") + filename


class CasePhoto(models.Model):
    """A photo attached to a case by the reporter or with the result; private storage only."""

    class Kind(models.TextChoices):
        REPORT = "report", _("反映人照片")
        RESULT = "result", _("办结照片")

    report = models.ForeignKey(GrievanceReport, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.REPORT)
    file = models.FileField(_("照片"), storage=private_storage, upload_to=case_photo_path, max_length=200)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("工单照片")
        verbose_name_plural = _("工单照片")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.report.reference} {self.get_kind_display()}"


# --- Merchant applications (入盟申请) -----------------------------------------------------


class Convention(models.Model):
    """商居共建自治公约: the text a merchant signs; the current one is the latest published."""

    title = models.CharField(
        _("标题"), max_length=80, default="商居共建自治公约", help_text=_("例如：商居共建自治公约")
    )
    version = models.CharField(_("版本"), max_length=30, help_text=_("例如：2026 年修订版；签署记录会注明版本"))
    body = RichTextField(
        _("正文"),
        features=["h2", "h3", "bold", "ol", "ul"],
        help_text=_("公约全文；申请入盟的商户在签署前会看到这里的文字"),
    )
    published = models.BooleanField(
        _("已发布"), default=False, help_text=_("勾选后即成为新的现行公约；之前的版本保留在签署记录中")
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    panels = [FieldRowPanel([FieldPanel("title"), FieldPanel("version")]), FieldPanel("body"), FieldPanel("published")]

    class Meta:
        verbose_name = _("商居共建自治公约")
        verbose_name_plural = _("商居共建自治公约")
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return f"{self.title}（{self.version}）"

    def save(self, *args, **kwargs):
        if self.published and not self.published_at:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        return cls.objects.filter(published=True).order_by("-published_at", "-pk").first()


class MerchantApplication(models.Model):
    """A shop's application to join the alliance, as submitted by the wizard at /apply/."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        MORE_INFO = "more_info", _("待补充材料")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    reference = models.CharField(_("申请编号"), max_length=20, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    submission_key = models.CharField(max_length=64, unique=True, editable=False)

    shop_name = models.CharField(_("店名"), max_length=80)
    category = models.CharField(_("类别"), max_length=20, choices=Merchant.Category.choices)
    address = models.CharField(_("地址"), max_length=200)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="applications", verbose_name=_("社区")
    )
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="applications", verbose_name=_("网格"))
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    credit_code_check_failed = models.BooleanField(_("信用代码校验位不符"), default=False)

    contact_person = models.CharField(_("联系人"), max_length=40)
    mobile = models.CharField(_("联系手机"), max_length=11)
    email = models.EmailField(_("电子邮箱"), blank=True)
    consented_at = models.DateTimeField(_("同意个人信息告知的时间"), null=True, blank=True)

    offers = models.TextField(_("惠民措施"), max_length=1000, blank=True)
    elderly_delivery = models.BooleanField(_("为老人免费送货"), default=False)
    accepts_volunteer_points = models.BooleanField(_("接受志愿者积分"), default=False)
    opening_hours = models.CharField(_("营业时间"), max_length=100, blank=True)

    convention = models.ForeignKey(
        Convention, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("签署的公约")
    )
    signed_name = models.CharField(_("签名"), max_length=40)
    signed_at = models.DateTimeField(_("签署时间"))

    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.SUBMITTED, db_index=True)
    review_note = models.TextField(
        _("审核意见"), blank=True, max_length=2000, help_text=_("需补充的材料或不通过的理由，申请人可以看到")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_applications",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    merchant = models.ForeignKey(
        Merchant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
        verbose_name=_("对应商户"),
    )
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("入盟申请")
        verbose_name_plural = _("入盟申请")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.reference} {self.shop_name}"

    @property
    def masked_mobile(self):
        return mask_mobile(self.mobile) if self.mobile else ""

    def check_secret(self, secret):
        return secrets.compare_digest(self.secret_hash, hash_secret(secret or ""))


def application_photo_path(instance, filename):
    return timezone.now().strftime("applications/%Y/%m/") + filename


class ApplicationPhoto(models.Model):
    """A shop-front or licence photo of an application; private storage, served to reviewers only."""

    class Kind(models.TextChoices):
        SHOP_FRONT = "shop_front", _("门头照片")
        LICENCE = "licence", _("营业执照")

    application = models.ForeignKey(MerchantApplication, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("照片"), storage=private_storage, upload_to=application_photo_path, max_length=200)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("申请照片")
        verbose_name_plural = _("申请照片")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.application.reference} {self.get_kind_display()}"


# --- Questionnaires (线上问卷) -------------------------------------------------------------


class QuestionnaireField(AbstractFormField):
    """One question of a questionnaire, built by editors in the page editor."""

    page = ParentalKey("QuestionnairePage", on_delete=models.CASCADE, related_name="form_fields")


class QuestionnairePage(AbstractForm):
    """线上问卷: an ad-hoc survey built with Wagtail's form builder; answers export from the admin."""

    intro = RichTextField(
        _("说明"),
        blank=True,
        features=["bold", "link", "ul"],
        help_text=_("问卷开头的说明，例如：解放路改造，请您提建议"),
    )
    thank_you_text = RichTextField(
        _("提交后的感谢语"), blank=True, features=["bold", "link"], help_text=_("居民提交后看到的文字")
    )

    content_panels = AbstractForm.content_panels + [
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("问题")),
        FieldPanel("thank_you_text"),
    ]
    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = []
    template = "forms/questionnaire_page.html"
    landing_page_template = "forms/questionnaire_page_landing.html"

    def get_submissions_list_view_class(self):
        from .questionnaire_views import QuestionnaireSubmissionsView

        return QuestionnaireSubmissionsView

    class Meta:
        verbose_name = _("线上问卷")
        verbose_name_plural = _("线上问卷")
