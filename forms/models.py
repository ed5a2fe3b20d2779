"""What comes in through the public forms, besides cases (which casework/ owns once submitted):
merchant applications to join the alliance with their photos and review history, the convention
they sign, and the questionnaires editors build.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
from wagtail.fields import RichTextField

from alliance.models import Community, Grid, GridArea, Merchant
from casework.models import PrivatePhoto, Submission
from portal.editing import EditorDefaults, FormPageForm
from portal.privacy import mask_mobile

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


class MerchantApplication(Submission):
    """A shop's application to join the alliance, as submitted by the wizard at /apply/.

    Its state moves only through forms/apply/transitions.py, which records every step as an
    ApplicationEvent (who, when, from, to, note): the history the review page shows.
    """

    REFERENCE_PREFIX = "RM"
    # What the applicant may correct through the private link when the office asks for more.
    AMENDABLE_FIELDS = (
        "shop_name",
        "category",
        "address",
        "community",
        "grid",
        "area",
        "place_unsure",
        "credit_code",
        "contact_person",
        "mobile",
        "email",
        "offers",
        "elderly_delivery",
        "accepts_volunteer_points",
        "opening_hours",
        "shop_phone",
    )

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        MORE_INFO = "more_info", _("待补充材料")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    shop_name = models.CharField(_("店名"), max_length=80)
    category = models.CharField(_("类别"), max_length=20, choices=Merchant.Category.choices)
    address = models.CharField(_("地址"), max_length=200)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="applications", verbose_name=_("社区")
    )
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="applications", verbose_name=_("网格"))
    # As on a case (casework.GrievanceReport): the street or building chosen, the grid routed from it.
    area = models.ForeignKey(
        GridArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("街巷或楼栋"),
    )
    place_unsure = models.BooleanField(_("申请人不清楚街巷或楼栋"), default=False, db_default=False)
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
    shop_phone = models.CharField(
        _("店铺电话"), max_length=30, blank=True, help_text=_("公开在商户页面；联系手机不公开")
    )

    convention = models.ForeignKey(
        Convention, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("签署的公约")
    )
    signed_name = models.CharField(_("签名"), max_length=40)
    signed_at = models.DateTimeField(_("签署时间"))

    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.SUBMITTED, db_index=True)
    review_note = models.TextField(
        _("审核意见"), blank=True, max_length=2000, help_text=_("需补充的材料或不通过的理由，申请人可以看到")
    )
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

    @property
    def shows_note_to_applicant(self):
        """The review note is written for the applicant when more is asked for or the answer is no."""
        return self.state in (self.State.MORE_INFO, self.State.REJECTED)


class ApplicationEvent(models.Model):
    """One step of an application's review: submitted, sent back, resubmitted, approved or rejected.

    Written only by forms.apply.transitions.record(); never edited.
    """

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交申请")
        APPROVE = "approve", _("通过")
        MORE_INFO = "more_info", _("请补充材料")
        REJECT = "reject", _("不通过")
        RESUBMIT = "resubmit", _("补充后重新提交")

    application = models.ForeignKey(MerchantApplication, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("原状态"), max_length=12, blank=True, choices=MerchantApplication.State.choices)
    to_state = models.CharField(_("新状态"), max_length=12, choices=MerchantApplication.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application_events",
        verbose_name=_("操作人"),
    )
    note = models.TextField(_("说明"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.application.reference} {self.get_action_display()}"


class ApplicationPhoto(PrivatePhoto):
    """A shop-front or licence photo of an application, served to its reviewers only."""

    upload_folder = "applications"

    class Kind(models.TextChoices):
        SHOP_FRONT = "shop_front", _("门头照片")
        LICENCE = "licence", _("营业执照")

    application = models.ForeignKey(MerchantApplication, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)

    class Meta(PrivatePhoto.Meta):
        verbose_name = _("申请照片")
        verbose_name_plural = _("申请照片")

    def __str__(self):
        return f"{self.application.reference} {self.get_kind_display()}"


# --- Questionnaires (线上问卷) -------------------------------------------------------------


class QuestionnaireField(AbstractFormField):
    """One question of a questionnaire, built by editors in the page editor."""

    page = ParentalKey("QuestionnairePage", on_delete=models.CASCADE, related_name="form_fields")


class QuestionnairePage(EditorDefaults, AbstractForm):
    """线上问卷: an ad-hoc survey built with Wagtail's form builder; answers export from the admin
    (Wagtail's submissions view, every cell through portal.spreadsheets)."""

    intro = RichTextField(
        _("说明"),
        blank=True,
        features=["bold", "link", "ul"],
        help_text=_("问卷开头的说明，例如：解放路改造，请您提建议"),
    )
    thank_you_text = RichTextField(
        _("提交后的感谢语"), blank=True, features=["bold", "link"], help_text=_("居民提交后看到的文字")
    )

    content_panels = EditorDefaults.content_panels + [
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("问题")),
        FieldPanel("thank_you_text"),
    ]
    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = []
    base_form_class = FormPageForm
    template = "forms/questionnaire_page.html"
    landing_page_template = "forms/questionnaire_page_landing.html"

    class Meta:
        verbose_name = _("线上问卷")
        verbose_name_plural = _("线上问卷")
