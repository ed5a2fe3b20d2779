"""The site shell: the home page, standard pages, office settings, images and view restrictions."""

import io

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import Page, PageViewRestriction, Site

from home.models import HomePage, OfficeSettings, StandardPage

from .sequence import next_number


def home_page():
    return HomePage.objects.get()


def root_page():
    return Page.objects.get(depth=1)


def add_page(parent, page):
    """Add and publish a page under parent, as an editor would."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def standard_page(title=None, parent=None, **kwargs):
    n = next_number()
    page = StandardPage(title=title or f"关于我们{n}", slug=kwargs.pop("slug", f"page-{n}"), **kwargs)
    return add_page(parent or home_page(), page)


def office_settings(**fields):
    """The default site's OfficeSettings with the given fields saved."""
    office = OfficeSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in fields.items():
        setattr(office, name, value)
    office.save()
    return office


def image(title="测试图片", size=(64, 48), color=(200, 40, 30)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "PNG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name=f"test-{next_number()}.png"))


def restrict(page):
    """Put a page behind a password, as an editor would with 'privacy' in the admin."""
    return PageViewRestriction.objects.create(page=page, restriction_type="password", password="secret")
