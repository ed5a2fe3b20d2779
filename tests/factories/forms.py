"""What comes in besides cases: the convention and merchant applications."""

import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage

from alliance.models import Merchant
from casework.models import hash_secret
from forms.models import ApplicationEvent, ApplicationPhoto, Convention, MerchantApplication

from .alliance import grid, valid_credit_code
from .sequence import next_number


def convention(version="2026 年版", body="<p>第一条 门前三包，不占道经营。</p>", published=True, **kwargs):
    return Convention.objects.create(version=version, body=body, published=published, **kwargs)


def application(community_=None, grid_=None, link_secret=None, photo=True, **kwargs):
    """A submitted MerchantApplication with a shop-front photo; its private link secret is `link_secret`."""
    grid_ = grid_ or grid(community_)
    n = next_number()
    kwargs.setdefault("shop_name", f"申请商户{n}")
    kwargs.setdefault("category", Merchant.Category.SUPERMARKET)
    kwargs.setdefault("address", f"解放路 {n} 号")
    kwargs.setdefault("credit_code", valid_credit_code())
    kwargs.setdefault("contact_person", "李建国")
    kwargs.setdefault("mobile", "13900001111")
    kwargs.setdefault("opening_hours", "每天 7:00—21:00")
    kwargs.setdefault("shop_phone", "0931-8123456")
    kwargs.setdefault("offers", "每月 18 日全场九折")
    kwargs.setdefault("signed_name", kwargs["contact_person"])
    kwargs.setdefault("signed_at", timezone.now())
    if "convention" not in kwargs:
        kwargs["convention"] = Convention.current() or convention()
    app = MerchantApplication.objects.create(
        reference=f"RM-20261122-{n:04d}",
        secret_hash=hash_secret(link_secret or f"link-{n}"),
        submission_key=f"key-{n}",
        community=grid_.community,
        grid=grid_,
        **kwargs,
    )
    ApplicationEvent.objects.create(
        application=app, action=ApplicationEvent.Action.SUBMIT, to_state=app.state, created_at=app.created_at
    )
    if photo:
        buffer = io.BytesIO()
        PILImage.new("RGB", (80, 60), (30, 120, 200)).save(buffer, "JPEG")
        ApplicationPhoto.objects.create(
            application=app, kind=ApplicationPhoto.Kind.SHOP_FRONT, file=ContentFile(buffer.getvalue(), name="a.jpg")
        )
    return app
