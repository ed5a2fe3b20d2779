"""The steps of the merchant application wizard, and the amend form the applicant fills when
the office asks for more. Plain Django forms, so errors sit next to fields."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.fields import MobileField
from alliance.models import Community, Merchant
from alliance.validators import (
    credit_code_check_passes,
    normalise_credit_code,
    normalise_public_phone,
    validate_credit_code,
    validate_public_phone,
)

from ..fields import UNSURE, CommunityChoiceField, CommunityStep, PhotoField, PlaceFields
from ..models import Convention, MerchantApplication


def member_with_code(code, exclude_merchant_id=None):
    """The member merchant that already holds this credit code, if any."""
    members = Merchant.objects.members().filter(credit_code=code)
    if exclude_merchant_id:
        members = members.exclude(pk=exclude_merchant_id)
    return members.first()


def same_name(a, b):
    """Signature and contact person compared as people type them (full-width, spaces)."""

    def clean(value):
        return "".join(unicodedata.normalize("NFKC", value or "").split())

    return bool(clean(a)) and clean(a) == clean(b)


# --- Steps ------------------------------------------------------------------------------


class ShopCommunityStep(CommunityStep):
    title = _("店铺在哪个社区")


class ShopStep(PlaceFields):
    """店铺信息, in the community chosen on the step before (the street or building routes the grid)."""

    title = _("店铺信息")
    field_order = ["shop_name", "category", "area", "address", "credit_code"]
    shop_name = forms.CharField(
        label=_("店名"),
        max_length=80,
        help_text=_("招牌上的店名，例如：老王面馆"),
        error_messages={"required": _("请填写店名。"), "max_length": _("店名请控制在 %(limit_value)d 字以内。")},
    )
    category = forms.ChoiceField(
        label=_("经营类别"),
        choices=Merchant.Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择经营类别。"), "invalid_choice": _("请从列表中选择经营类别。")},
    )
    address = forms.CharField(
        label=_("店铺地址"),
        max_length=200,
        help_text=_("门牌地址，例如：解放路 18 号"),
        error_messages={"required": _("请填写店铺地址。"), "max_length": _("地址请控制在 %(limit_value)d 字以内。")},
    )
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=40,
        help_text=_("营业执照上的 18 位代码，字母不区分大小写"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        error_messages={"required": _("请填写营业执照上的统一社会信用代码。")},
    )

    # The code a check-character warning was shown for: posting the same code again goes on.
    credit_code_confirmed = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_credit_code(self):
        code = normalise_credit_code(self.cleaned_data["credit_code"])
        validate_credit_code(code)
        member = member_with_code(code, exclude_merchant_id=getattr(self, "exclude_merchant_id", None))
        if member:
            raise forms.ValidationError(
                _("该统一社会信用代码已是联盟商户“%(name)s”，无需重复申请；如需修改店铺信息，请联系社区。"),
                code="member",
                params={"name": member.name},
            )
        confirmed = normalise_credit_code(self.data.get(self.add_prefix("credit_code_confirmed"), ""))
        if not credit_code_check_passes(code) and confirmed != code:
            # Told once, where it is typed; not a refusal: the same code posted again goes through
            # (a licence can be right where the standard's arithmetic is not), and staff see the flag.
            self.data = self.data.copy()
            self.data[self.add_prefix("credit_code_confirmed")] = code
            raise forms.ValidationError(
                _(
                    "这个代码的最后一位（校验位）与国家标准计算结果不符，可能输错了一位，请对照营业执照核对。"
                    "如确认无误，直接再点“下一步”即可继续，社区会人工核实。"
                ),
                code="check_character",
            )
        return code


class ApplicantStep(forms.Form):
    title = _("联系人")
    contact_person = forms.CharField(
        label=_("联系人姓名"),
        max_length=40,
        help_text=_("店主或负责与社区联系的人，稍后签署公约时请填写同一个姓名"),
        error_messages={"required": _("请填写联系人姓名。"), "max_length": _("姓名请控制在 40 字以内。")},
    )
    mobile = MobileField()
    email = forms.EmailField(
        label=_("电子邮箱（可不填）"),
        required=False,
        help_text=_("填写后，审核有结果会给您发邮件"),
        error_messages={"invalid": _("请输入有效的电子邮箱地址，例如 name@example.com。")},
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意上方的个人信息告知"),
        error_messages={"required": _("请勾选同意个人信息告知后再继续。")},
    )


class OffersStep(forms.Form):
    title = _("惠民措施")
    offers = forms.CharField(
        label=_("为居民提供的优惠"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("例如：每月 18 日全场九折；老人购物满 50 元免费送货上门"),
        error_messages={"max_length": _("请控制在 %(limit_value)d 字以内（现在 %(show_value)d 字）。")},
    )
    elderly_delivery = forms.BooleanField(label=_("为社区老年人免费送货上门"), required=False)
    accepts_volunteer_points = forms.BooleanField(label=_("接受居民用志愿者积分抵扣"), required=False)
    opening_hours = forms.CharField(
        label=_("营业时间"),
        max_length=100,
        help_text=_("例如：每天 7:00—21:00，周一休息"),
        error_messages={"required": _("请填写营业时间。"), "max_length": _("请控制在 %(limit_value)d 字以内。")},
    )
    shop_phone = forms.CharField(
        label=_("店铺电话（会公开）"),
        max_length=30,
        required=False,
        validators=[validate_public_phone],
        help_text=_("居民电话预约、叫送货时拨打，会显示在商户页面，可以不填；上一步的联系手机只给社区，不公开"),
        error_messages={"max_length": _("请控制在 %(limit_value)d 字以内。")},
    )

    def clean_shop_phone(self):
        return normalise_public_phone(self.cleaned_data.get("shop_phone"))


class PhotosStep(forms.Form):
    title = _("照片")
    photo_fields = ("shop_front", "licence")

    shop_front = PhotoField(
        label=_("门头照片"),
        required=True,
        help_text=_("站在店门口横着拍，能看清招牌；JPG、PNG 或 WebP，不超过 8 MB"),
        error_messages={"required": _("请上传门头照片。")},
    )
    licence = PhotoField(
        label=_("营业执照照片"),
        help_text=_("便于核对信用代码；没有可先不传，审核时可能请您补充"),
    )

    def __init__(self, *args, stored=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A photo kept from an earlier visit to this step counts; the wizard re-checks it at the end.
        if "shop_front" in stored:
            self.fields["shop_front"].required = False


class ConventionStep(forms.Form):
    title = _("签署公约")
    convention = forms.ModelChoiceField(queryset=Convention.objects.filter(published=True), widget=forms.HiddenInput)
    agree = forms.BooleanField(
        label=_("我已阅读并同意遵守《商居共建自治公约》"),
        error_messages={"required": _("请勾选同意公约后再继续。")},
    )
    signed_name = forms.CharField(
        label=_("签名（请输入联系人姓名）"),
        max_length=40,
        error_messages={"required": _("请输入您的姓名作为签名。")},
    )

    def __init__(self, *args, contact_person="", **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_person = contact_person

    def clean_convention(self):
        convention = self.cleaned_data["convention"]
        current = Convention.current()
        if current is None or convention.pk != current.pk:
            raise forms.ValidationError(_("公约已更新，请阅读新版本后再签署。"), code="outdated")
        return convention

    def clean_signed_name(self):
        name = self.cleaned_data["signed_name"].strip()
        if not same_name(name, self.contact_person):
            raise forms.ValidationError(
                _("签名须与联系人姓名“%(name)s”一致。"), code="mismatch", params={"name": self.contact_person}
            )
        return name


class ApplicationReviewStep(forms.Form):
    title = _("确认提交")
    confirm = forms.BooleanField(
        label=_("以上信息真实无误，确认提交"), error_messages={"required": _("请勾选确认后再提交。")}
    )


class AmendForm(ShopStep, ApplicantStep, OffersStep):
    """Everything the applicant typed, on one page, when the office asks for more."""

    title = _("补充申请材料")
    consent = None
    shop_front = PhotoField(label=_("新的门头照片（可不传）"))
    licence = PhotoField(label=_("新的营业执照照片（可不传）"))

    field_order = ["shop_name", "category", "community", "area", "address", "credit_code"]
    # On one page without JavaScript: a changed community is posted first, and the form comes back
    # with that community's streets and buildings to choose from.
    community = CommunityChoiceField(
        label=_("社区"),
        queryset=Community.objects.order_by("sub_district", "name"),
        empty_label=None,
        help_text=_("更换社区后请先点“重新提交”，再从新社区的街巷或楼栋中选择"),
        error_messages={"required": _("请选择社区。"), "invalid_choice": _("请从列表中选择社区。")},
    )

    def __init__(self, *args, application, **kwargs):
        initial = {name: getattr(application, name) for name in MerchantApplication.AMENDABLE_FIELDS}
        initial.update(
            community=application.community_id,
            area=UNSURE if application.place_unsure else application.area_id,
        )
        kwargs.setdefault("initial", initial)
        super().__init__(*args, community=application.community, **kwargs)
        self.exclude_merchant_id = application.merchant_id
        if self.is_bound:
            # The community posted (if it is one) decides which streets and buildings are offered and accepted.
            try:
                posted = self.fields["community"].clean(self.data.get(self.add_prefix("community")))
            except forms.ValidationError:
                posted = None  # the field reports it; the areas stay the application's community's
            if posted is not None and posted != self.community:
                self.set_community(posted)
