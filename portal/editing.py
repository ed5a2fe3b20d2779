"""What every page type shares in the page editor, whichever app defines it.

Slugs. Wagtail fills a new page's slug from its title while the title is typed; a Chinese title
becomes the slug as it is. Wagtail 8 autosaves a new page as soon as it has a title, so an editor
who starts the same article again meets a slug already taken by the first attempt, and shared
links turn into runs of percent-escapes. Our pages leave the slug alone while the title is typed:
a slug left empty becomes the date the page was created (2026-11-22, then 2026-11-22-2, …), set
once and kept when the page is saved again, so autosaves and title changes never move a page's
address. An editor may still type a slug; one taken by a sibling is refused in Chinese.

Tabs. The content tab holds what editors write and classify, cover image included (each page
type lays out its own); 推荐 (promote) holds only what search engines and share cards read.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, TitleFieldPanel
from wagtail.contrib.forms.forms import WagtailAdminFormPageForm

# The title without Wagtail's title-to-slug sync (targets=[]): see the module docstring.
TITLE = TitleFieldPanel("title", targets=[])

SEO_PANELS = [
    MultiFieldPanel(
        [FieldPanel("slug"), FieldPanel("seo_title"), FieldPanel("search_description")],
        heading=_("搜索引擎与分享"),
    )
]

SLUG_HELP = _(
    "网址的最后一段，只用小写字母、数字和连字符，例如 market-day。"
    "留空则按建立日期自动生成（例如 2026-11-22），以后不再改变。"
)


def slug_taken(slug, parent, page=None):
    """Whether another child of `parent` already uses `slug`."""
    siblings = parent.get_children().filter(slug=slug)
    if page is not None and page.pk:
        siblings = siblings.exclude(pk=page.pk)
    return siblings.exists()


def date_slug(parent, page=None, day=None):
    """The first free slug under `parent` for a page created on `day` (today, Beijing time)."""
    base = (day or timezone.localdate()).isoformat()
    siblings = parent.get_children()
    if page is not None and page.pk:
        siblings = siblings.exclude(pk=page.pk)
    taken = set(siblings.filter(slug__startswith=base).values_list("slug", flat=True))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


class SlugFormMixin:
    """An optional slug, settled in the form, and a Chinese refusal of one already taken."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = SLUG_HELP

    def clean(self):
        if "slug" in self.cleaned_data:
            slug = self.cleaned_data["slug"] or self.instance.slug
            if not slug and self.parent_page is not None:
                slug = date_slug(self.parent_page, self.instance)
            self.cleaned_data["slug"] = slug
            if slug and self.parent_page is not None and slug_taken(slug, self.parent_page, self.instance):
                # Reported here, so Wagtail's own (English) check below never sees the slug.
                self.add_error(
                    "slug",
                    _("网址“%(slug)s”已被本栏目的另一个页面使用，请换一个，或者清空让系统按日期生成。")
                    % {"slug": slug},
                )
        return super().clean()


class PageForm(SlugFormMixin, WagtailAdminPageForm):
    """The editor's form of every page type."""


class FormPageForm(SlugFormMixin, WagtailAdminFormPageForm):
    """The editor's form of pages built on Wagtail's form builder (questionnaires)."""


class EditorDefaults:
    """Mixed into every page model before wagtail's Page: the form, the title and the 推荐 tab,
    and a date slug for pages created in code without one (where Wagtail would use the title)."""

    base_form_class = PageForm
    content_panels = [TITLE]
    promote_panels = SEO_PANELS

    def full_clean(self, *args, **kwargs):
        self._fill_slug()
        super().full_clean(*args, **kwargs)

    def minimal_clean(self):
        self._fill_slug()
        super().minimal_clean()

    def _fill_slug(self):
        # Only once the page has its place in the tree (treebeard sets the path before saving).
        if not self.slug and self.path:
            parent = self.get_parent()
            if parent is not None:
                self.slug = date_slug(parent, self)
