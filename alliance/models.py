"""The registry everything else refers to: communities, their grids, and merchants."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.models import Orderable
from wagtail.search import index
from wagtail.search.query import PlainText
from wagtail.search.queryset import SearchableQuerySetMixin

from portal.tokenize import index_tokens, parse_query

from . import maps
from .forms import CommunityAdminForm, GridAdminForm, MerchantAdminForm
from .panels import CreditCodeFlagPanel
from .validators import (
    credit_code_check_passes,
    normalise_credit_code,
    normalise_mobile,
    normalise_public_phone,
    tel_uri,
    validate_credit_code,
    validate_mobile,
    validate_public_phone,
)


class Community(models.Model):
    """A community (社区) under the sub-district office; it convenes one alliance."""

    name = models.CharField(
        _("社区名称"),
        max_length=60,
        unique=True,
        help_text=_("例如：东门社区"),
        error_messages={"unique": _("已有同名社区，请核对。")},
    )
    slug = models.SlugField(
        _("网址标识"),
        max_length=60,
        unique=True,
        allow_unicode=False,
        help_text=_("用于网址筛选的英文或拼音，例如 dongmen"),
        error_messages={"unique": _("这个网址标识已被其他社区使用，请换一个。")},
    )
    sub_district = models.CharField(_("所属街道"), max_length=60, blank=True, help_text=_("例如：和平街道"))
    address = models.CharField(
        _("社区办公地址"), max_length=200, blank=True, help_text=_("居民来办事的地址，例如：幸福路 12 号一楼")
    )
    phone = models.CharField(_("社区电话"), max_length=40, blank=True, help_text=_("社区办公室的公开电话"))
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True, help_text=_("社区常住户数，用于统计"))
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="moderated_communities",
        verbose_name=_("社区审核人"),
        help_text=_("社区书记或主任：受理、派单、督办本社区的工单"),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("sub_district"),
        FieldPanel("address"),
        FieldPanel("phone"),
        FieldPanel("households"),
        # Who may see which cases is decided here, so only those who manage staff accounts assign it;
        # otherwise a moderator could add themselves to another community and read its cases.
        FieldPanel("moderators", permission="auth.change_user"),
    ]
    base_form_class = CommunityAdminForm

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def moderator_addresses(self):
        """Email addresses of the community's active moderators, for notifications."""
        return list(self.moderators.filter(is_active=True).exclude(email="").values_list("email", flat=True))

    def areas(self):
        """The streets and buildings of all this community's grids, in the grids' order, then each grid's."""
        return (
            GridArea.objects.filter(grid__community=self)
            .select_related("grid")
            .order_by("grid__name", "grid__pk", "sort_order", "pk")
        )

    def first_grid(self):
        """Where a report goes when the resident cannot say where: the first grid by the Grid ordering."""
        return self.grids.order_by(*Grid._meta.ordering, "pk").first()


class Grid(ClusterableModel):
    """A grid (网格) of streets and buildings within one community, worked by grid workers."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="grids", verbose_name=_("所属社区"))
    name = models.CharField(_("网格名称"), max_length=60, help_text=_("例如：第一网格"))
    code = models.CharField(_("网格编号"), max_length=30, blank=True, help_text=_("街道内部使用的编号，可不填"))
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="grids",
        verbose_name=_("网格员"),
        help_text=_("负责本网格的网格员，他们会收到派到本网格的工单"),
    )

    panels = [
        FieldPanel("community"),
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldPanel("workers", permission="auth.change_user"),  # as Community.moderators
        InlinePanel("areas", heading=_("覆盖的街巷和楼栋"), label=_("街巷或楼栋")),
    ]
    base_form_class = GridAdminForm

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["community__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="unique_grid_name_per_community",
                violation_error_message=_("这个社区已有同名网格，请换一个名称。"),
            )
        ]

    def __str__(self):
        return f"{self.community.name} · {self.name}"

    def worker_addresses(self):
        """Email addresses of the grid's active workers, for notifications."""
        return list(self.workers.filter(is_active=True).exclude(email="").values_list("email", flat=True))


class GridArea(Orderable):
    """A street/lane or building a grid covers, with its volunteer chief."""

    class Kind(models.TextChoices):
        STREET = "street", _("街巷")
        BUILDING = "building", _("楼栋")

    grid = ParentalKey(Grid, on_delete=models.CASCADE, related_name="areas")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.BUILDING)
    name = models.CharField(_("名称"), max_length=80, help_text=_("例如：幸福里 3 号楼、解放路东段"))
    chief = models.CharField(
        _("楼栋长 / 街巷长"),
        max_length=40,
        blank=True,
        help_text=_("志愿担任楼栋长或街巷长的居民姓名，会在组织架构页公开"),
    )

    panels = [FieldRowPanel([FieldPanel("kind"), FieldPanel("name"), FieldPanel("chief")])]

    class Meta(Orderable.Meta):
        verbose_name = _("街巷或楼栋")
        verbose_name_plural = _("街巷和楼栋")

    def __str__(self):
        return self.name


class MerchantQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def members(self):
        return self.filter(membership_status=Merchant.Status.MEMBER)

    def matching(self, query):
        """Shops holding every part of the query in their name, category, address, description or
        offers, found as site search finds them: the search index's Chinese tokens (portal.tokenize),
        in one query. Ordered with the shops whose name holds the query first, then by name.
        """
        parsed = parse_query(query)
        if not parsed:
            return self.none()
        # Searched over all shops, so the filters already on this queryset need not be index fields.
        found = (
            self.model._default_manager.only("pk")
            .order_by()
            .search(PlainText(" ".join(parsed.terms), operator="and"), order_by_relevance=False)
        )
        in_name = models.Case(models.When(name__icontains=query, then=0), default=1)
        return self.filter(pk__in=[shop.pk for shop in found]).order_by(in_name, "name", "pk")


class Merchant(index.Indexed, models.Model):
    """A shop in the neighbourhood; members appear in the public directory."""

    class Category(models.TextChoices):
        RESTAURANT = "restaurant", _("餐饮")
        SUPERMARKET = "supermarket", _("超市便利")
        CLINIC = "clinic", _("中医诊所")
        BARBER = "barber", _("美容美发")
        TUTORING = "tutoring", _("教育培训")
        ESTATE_AGENT = "estate_agent", _("房产中介")
        SHOP = "shop", _("零售小店")
        SERVICES = "services", _("生活服务")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("申请中")
        MEMBER = "member", _("联盟商户")
        SUSPENDED = "suspended", _("暂停资格")
        WITHDRAWN = "withdrawn", _("已退出")

    name = models.CharField(_("店名"), max_length=80, help_text=_("招牌上的店名"))
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    address = models.CharField(_("地址"), max_length=200, help_text=_("门牌地址，例如：解放路 18 号"))
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="merchants", verbose_name=_("所属社区")
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merchants",
        verbose_name=_("所属网格"),
        help_text=_("商户所在的网格，须属于上面所选的社区"),
    )
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("营业执照上的 18 位代码；校验位不符时会标记出来，请核对执照原件"),
        # The admin form names the other merchant; this covers every other path.
        error_messages={"unique": _("该统一社会信用代码已被其他商户使用，请核对营业执照。")},
    )
    credit_code_check_failed = models.BooleanField(
        _("信用代码校验位不符"), default=False, editable=False, help_text=_("校验位计算不符，需工作人员核对执照")
    )
    contact_person = models.CharField(
        _("联系人"), max_length=40, blank=True, help_text=_("店主或负责与社区联系的人，仅工作人员可见")
    )
    mobile = models.CharField(
        _("联系手机"),
        max_length=20,
        blank=True,
        validators=[validate_mobile],
        help_text=_("仅工作人员可见，不在网站公开"),
    )
    opening_hours = models.CharField(_("营业时间"), max_length=100, blank=True, help_text=_("例如：每天 7:00—21:00"))
    phone = models.CharField(
        _("店铺电话"),
        max_length=30,
        blank=True,
        validators=[validate_public_phone],
        help_text=_(
            "公开显示在商户页面，居民点一下就能拨打，用于电话预约、送货等；"
            "填店里的固定电话或店铺专用手机，不要填个人手机（联系手机另填，不公开）"
        ),
    )
    description = models.TextField(_("店铺简介"), blank=True, help_text=_("一两句话介绍店铺，会显示在商户名录"))
    offers = models.TextField(
        _("惠民措施"), blank=True, help_text=_("为居民提供的优惠，例如：老人购物满 50 元免费送货上门；每月 18 日九折")
    )
    elderly_delivery = models.BooleanField(
        _("为老人免费送货"), default=False, help_text=_("为社区老年人免费送货上门，会在商户名录中标出")
    )
    accepts_volunteer_points = models.BooleanField(
        _("接受志愿者积分"), default=False, help_text=_("居民可用志愿者积分抵扣")
    )
    party_member_shop = models.BooleanField(
        _("党员商户"), default=False, help_text=_("店主或经营者是党员，可参评党员先锋商户")
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("门头照片"),
        help_text=_("店铺门头的照片，横拍效果最好，会显示在商户名录"),
    )
    membership_status = models.CharField(
        _("会员状态"),
        max_length=12,
        choices=Status.choices,
        default=Status.APPLICANT,
        db_index=True,
        help_text=_("只有“联盟商户”会出现在公开的商户名录中"),
    )
    member_since = models.DateField(
        _("入盟日期"), null=True, blank=True, help_text=_("状态设为联盟商户时如未填写，自动填为当天")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MerchantQuerySet.as_manager()

    search_fields = [
        index.SearchField("name", boost=3),
        index.SearchField("search_tokens", boost=2),
        index.AutocompleteField("name"),
        index.FilterField("membership_status"),
        index.FilterField("category"),
        index.FilterField("community_id"),
    ]

    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("name"),
                    FieldPanel("category"),
                    FieldPanel("description"),
                    FieldPanel("photo"),
                    MultiFieldPanel(
                        [
                            FieldPanel("community"),
                            FieldPanel("grid"),
                            FieldPanel("address"),
                            FieldPanel("opening_hours"),
                            FieldPanel("phone"),
                        ],
                        heading=_("位置与营业"),
                    ),
                ],
                heading=_("店铺"),
            ),
            ObjectList(
                [
                    FieldPanel("offers"),
                    FieldRowPanel([FieldPanel("elderly_delivery"), FieldPanel("accepts_volunteer_points")]),
                    FieldPanel("party_member_shop"),
                ],
                heading=_("惠民"),
            ),
            ObjectList(
                [
                    CreditCodeFlagPanel(),
                    FieldPanel("credit_code"),
                    FieldPanel("contact_person"),
                    FieldPanel("mobile"),
                    FieldRowPanel([FieldPanel("membership_status"), FieldPanel("member_since")]),
                ],
                heading=_("资质与会员"),
            ),
        ]
    )
    base_form_class = MerchantAdminForm

    class Meta:
        verbose_name = _("商户")
        verbose_name_plural = _("商户")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Blank is NULL, not "", so the unique constraint allows many shops without a code.
        self.credit_code = normalise_credit_code(self.credit_code) or None
        self.credit_code_check_failed = bool(self.credit_code) and not credit_code_check_passes(self.credit_code)
        if self.mobile:
            self.mobile = normalise_mobile(self.mobile)
        self.phone = normalise_public_phone(self.phone)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("merchant_detail", args=[self.pk])

    @property
    def search_tokens(self):
        return index_tokens(self.name, self.description, self.offers, self.address, self.get_category_display())

    @property
    def tel_uri(self):
        """The public phone as a tel: link; '' without one."""
        return tel_uri(self.phone) if self.phone else ""

    @property
    def map_url(self):
        """The shop's address on a map people in China can open (alliance/maps.py)."""
        return maps.search_url(self.address)

    @property
    def is_member(self):
        return self.membership_status == self.Status.MEMBER

    def clean_fields(self, exclude=None):
        # Normalise first, so max_length and the validators judge what will be stored,
        # not the spaces and full-width characters people paste in.
        self.credit_code = normalise_credit_code(self.credit_code) or None
        if self.mobile:
            self.mobile = normalise_mobile(self.mobile)
        self.phone = normalise_public_phone(self.phone)
        super().clean_fields(exclude=exclude)

    def clean(self):
        errors = {}
        if self.grid_id and self.community_id and self.grid.community_id != self.community_id:
            errors["grid"] = _("所选网格不属于所选社区，请重新选择。")
        if self.membership_status == self.Status.MEMBER and not self.member_since:
            self.member_since = timezone.localdate()
        if errors:
            raise ValidationError(errors)
