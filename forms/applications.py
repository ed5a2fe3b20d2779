"""入盟申请: the merchant application wizard at /apply/, its thank-you, status and amend pages.

The wizard follows the grievance wizard's rules (forms.wizard.IntakeWizardMixin); the
review by staff lives in application_admin.py.
"""

import unicodedata

from django import forms
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from formtools.wizard.views import SessionWizardView

from alliance.models import Merchant
from alliance.validators import (
    credit_code_check_passes,
    normalise_credit_code,
    normalise_mobile,
    validate_credit_code,
    validate_mobile,
)

from .abuse import AbuseProtectionMixin
from .forms import PlaceFields
from .models import ApplicationPhoto, Convention, MerchantApplication, hash_secret, new_secret
from .notifications import notify_new_application
from .reporting import next_reference
from .uploads import sanitise_image
from .wizard import IntakeWizardMixin

DONE_SESSION_KEY = "apply_done"
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


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


class ShopStep(PlaceFields):
    title = _("店铺信息")
    field_order = ["shop_name", "category", "address", "community", "grid", "credit_code"]
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
        return code


class ContactStep(forms.Form):
    title = _("联系人")
    contact_person = forms.CharField(
        label=_("联系人姓名"),
        max_length=40,
        help_text=_("店主或负责与社区联系的人，稍后签署公约时请填写同一个姓名"),
        error_messages={"required": _("请填写联系人姓名。"), "max_length": _("姓名请控制在 40 字以内。")},
    )
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("请填写手机号码。")},
    )
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

    def clean_mobile(self):
        value = self.cleaned_data["mobile"]
        validate_mobile(value)
        return normalise_mobile(value)


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


class PhotosStep(forms.Form):
    title = _("照片")
    photo_fields = ("shop_front", "licence")

    shop_front = forms.FileField(
        label=_("门头照片"),
        help_text=_("站在店门口横着拍，能看清招牌；JPG、PNG 或 WebP，不超过 8 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
        error_messages={"required": _("请上传门头照片。")},
    )
    licence = forms.FileField(
        label=_("营业执照照片"),
        help_text=_("便于核对信用代码；没有可先不传，审核时可能请您补充"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )

    def __init__(self, *args, stored=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A photo kept from an earlier visit to this step counts; the wizard re-checks it at the end.
        if "shop_front" in stored:
            self.fields["shop_front"].required = False

    def clean_shop_front(self):
        upload = self.cleaned_data.get("shop_front")
        return sanitise_image(upload) if upload else None

    def clean_licence(self):
        upload = self.cleaned_data.get("licence")
        return sanitise_image(upload) if upload else None


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


class ReviewStep(forms.Form):
    title = _("确认提交")
    confirm = forms.BooleanField(
        label=_("以上信息真实无误，确认提交"), error_messages={"required": _("请勾选确认后再提交。")}
    )


# --- Storing ----------------------------------------------------------------------------


def submit_application(submission_key, *, shop, contact, offers, photos, convention):
    """Store a finished application once; returns (application, secret or None if it existed)."""
    existing = MerchantApplication.objects.filter(submission_key=submission_key).first()
    if existing:
        return existing, None
    now = timezone.now()
    secret = new_secret()
    try:
        with transaction.atomic():
            application = MerchantApplication.objects.create(
                reference=next_reference("RM", now),
                secret_hash=hash_secret(secret),
                submission_key=submission_key,
                shop_name=shop["shop_name"],
                category=shop["category"],
                address=shop["address"],
                community=shop["community"],
                grid=shop["grid"],
                credit_code=shop["credit_code"],
                credit_code_check_failed=not credit_code_check_passes(shop["credit_code"]),
                contact_person=contact["contact_person"],
                mobile=contact["mobile"],
                email=contact.get("email", ""),
                consented_at=now,
                offers=offers.get("offers", ""),
                elderly_delivery=offers.get("elderly_delivery", False),
                accepts_volunteer_points=offers.get("accepts_volunteer_points", False),
                opening_hours=offers.get("opening_hours", ""),
                convention=convention["convention"],
                signed_name=convention["signed_name"],
                signed_at=now,
                created_at=now,
            )
            for kind, photo in photos:
                ApplicationPhoto.objects.create(application=application, kind=kind, file=photo)
            notify_new_application(application)
    except IntegrityError:
        # A parallel request with the same submission key committed first.
        return MerchantApplication.objects.get(submission_key=submission_key), None
    return application, secret


# --- The wizard -------------------------------------------------------------------------


class ApplyWizard(AbuseProtectionMixin, IntakeWizardMixin, SessionWizardView):
    """入盟申请: one step per screen, six steps, ending in one stored application."""

    form_list = [
        ("shop", ShopStep),
        ("contact", ContactStep),
        ("offers", OffersStep),
        ("photos", PhotosStep),
        ("convention", ConventionStep),
        ("review", ReviewStep),
    ]
    template_name = "forms/apply/step.html"
    abuse_scope = "apply"
    model = MerchantApplication
    done_session_key = DONE_SESSION_KEY
    thanks_url_name = "apply_thanks"
    expired_template = "forms/apply/expired.html"

    def dispatch(self, request, *args, **kwargs):
        # Without a published convention there is nothing to sign: say so instead of a dead end.
        if Convention.current() is None:
            return render(request, "forms/apply/unavailable.html", status=503)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self, step=None):
        kwargs = super().get_form_kwargs(step)
        if step == "photos":
            # Stored files are keyed by the prefixed field name, e.g. "photos-shop_front".
            stored = self.storage.get_step_files("photos") or {}
            kwargs["stored"] = {name.rsplit("-", 1)[-1] for name in stored}
        elif step == "convention":
            contact = self.get_cleaned_data_for_step("contact") or {}
            kwargs["contact_person"] = contact.get("contact_person", "")
        return kwargs

    def get_form_initial(self, step):
        if step == "convention":
            current = Convention.current()
            return {"convention": current.pk if current else None}
        return super().get_form_initial(step)

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        step = self.steps.current
        if step == "photos":
            context["stored_photos"] = sorted(self.storage.get_step_files("photos") or {})
        elif step == "convention":
            context["convention"] = Convention.current()
        elif step == "review":
            data = self.get_all_cleaned_data()
            code = data.get("credit_code", "")
            context["summary"] = {
                "data": data,
                "category_label": dict(Merchant.Category.choices).get(data.get("category"), ""),
                "photos": [PhotosStep.base_fields[name].label for name in PhotosStep.photo_fields if data.get(name)],
                "check_failed": bool(code) and not credit_code_check_passes(code),
            }
        return context

    def done(self, form_list, form_dict, **kwargs):
        photos_data = form_dict["photos"].cleaned_data
        photos = [
            (ApplicationPhoto.Kind.SHOP_FRONT, photos_data.get("shop_front")),
            (ApplicationPhoto.Kind.LICENCE, photos_data.get("licence")),
        ]
        application, secret = submit_application(
            self.submission_key(),
            shop=form_dict["shop"].cleaned_data,
            contact=form_dict["contact"].cleaned_data,
            offers=form_dict["offers"].cleaned_data,
            photos=[(kind, photo) for kind, photo in photos if photo],
            convention=form_dict["convention"].cleaned_data,
        )
        if secret:
            self.request.session[DONE_SESSION_KEY] = {
                "key": application.submission_key,
                "reference": application.reference,
                "secret": secret,
            }
        return redirect("apply_thanks")


def apply_thanks(request):
    done = request.session.get(DONE_SESSION_KEY)
    application = MerchantApplication.objects.filter(reference=(done or {}).get("reference")).first()
    if application is None:
        return redirect("apply")
    link = request.build_absolute_uri(reverse("apply_status", args=[done["secret"]])) if done.get("secret") else ""
    return render(request, "forms/apply/thanks.html", {"application": application, "private_link": link})


# --- Status and amending, through the private link -------------------------------------


def _by_secret(secret):
    application = (
        MerchantApplication.objects.select_related("community", "grid", "merchant")
        .filter(secret_hash=hash_secret(secret))
        .first()
    )
    if application is None:
        raise Http404(_gettext("链接无效或已过期。"))
    return application


def apply_status(request, secret):
    application = _by_secret(secret)
    # The note is written for the applicant only when more is asked for or the answer is no.
    show_note = application.state in (MerchantApplication.State.MORE_INFO, MerchantApplication.State.REJECTED)
    return render(
        request,
        "forms/apply/status.html",
        {"application": application, "show_note": show_note, "secret": secret},
    )


class AmendForm(ShopStep, ContactStep, OffersStep):
    """Everything the applicant typed, on one page, when the office asks for more."""

    title = _("补充申请材料")
    consent = None
    shop_front = forms.FileField(
        label=_("新的门头照片（可不传）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )
    licence = forms.FileField(
        label=_("新的营业执照照片（可不传）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )
    clean_shop_front = PhotosStep.clean_shop_front
    clean_licence = PhotosStep.clean_licence

    FIELDS = (
        "shop_name",
        "category",
        "address",
        "community",
        "grid",
        "credit_code",
        "contact_person",
        "mobile",
        "email",
        "offers",
        "elderly_delivery",
        "accepts_volunteer_points",
        "opening_hours",
    )

    def __init__(self, *args, application, **kwargs):
        kwargs.setdefault("initial", {name: getattr(application, name) for name in self.FIELDS})
        kwargs["initial"]["community"] = application.community_id
        kwargs["initial"]["grid"] = application.grid_id
        super().__init__(*args, **kwargs)
        self.exclude_merchant_id = application.merchant_id


@require_http_methods(["GET", "POST"])
def apply_amend(request, secret):
    application = _by_secret(secret)
    if application.state != MerchantApplication.State.MORE_INFO:
        # Already resubmitted (or decided): the status page says where it stands.
        return redirect("apply_status", secret=secret)
    form = AmendForm(request.POST or None, request.FILES or None, application=application)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = MerchantApplication.objects.select_for_update().get(pk=application.pk)
            if locked.state == MerchantApplication.State.MORE_INFO:
                for name in AmendForm.FIELDS:
                    setattr(locked, name, form.cleaned_data[name])
                locked.credit_code_check_failed = not credit_code_check_passes(locked.credit_code)
                locked.state = MerchantApplication.State.SUBMITTED
                locked.save()
                for kind in ApplicationPhoto.Kind.values:
                    photo = form.cleaned_data.get(kind)
                    if photo:
                        locked.photos.filter(kind=kind).delete()
                        ApplicationPhoto.objects.create(application=locked, kind=kind, file=photo)
                notify_new_application(locked)
        return redirect("apply_status", secret=secret)
    return render(request, "forms/apply/amend.html", {"application": application, "form": form})
