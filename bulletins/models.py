"""What the community office publishes: alliance news, notices (market days, meetings,
activities) and quarterly honour rolls."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, re_path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from alliance import maps
from alliance.models import Community, Merchant
from portal import params
from portal.contentcache import public, remember
from portal.editing import EditorDefaults
from portal.httpcache import conditional
from portal.tokenize import index_tokens

from . import cards, scheduling
from .blocks import BodyBlock, body_text
from .ical import REMINDER_BEFORE, calendar_response, feed_name
from .occurrences import NoticeOccurrence

PAGE_SIZE = 12


def reminder_hours():
    """How long before a notice the calendar files remind, as the pages say it."""
    return REMINDER_BEFORE // datetime.timedelta(hours=1)


class BulletinPage(EditorDefaults, Page):
    """Fields every published item shares: a summary, a body, a share image, a community."""

    intro = models.TextField(_("摘要"), max_length=300, blank=True, help_text=_("一两句话概括，显示在列表和分享卡片上"))
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)
    feed_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("封面图"),
        help_text=_("列表缩略图和微信分享图"),
    )
    community = models.ForeignKey(
        Community,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("社区"),
        help_text=_("与哪个社区有关；全街道的内容可不选"),
    )

    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("search_tokens"),
        index.FilterField("community_id"),
    ]

    class Meta:
        abstract = True

    @property
    def search_tokens(self):
        return index_tokens(self.title, self.intro, body_text(self.body))

    @property
    def summary(self):
        return self.intro or self.search_description


# --- News ---------------------------------------------------------------------------


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey("bulletins.NewsPage", on_delete=models.CASCADE, related_name="tagged_items")


class NewsIndexPage(EditorDefaults, Page):
    """联盟动态: the list of alliance news, filterable by community and tag."""

    intro = models.TextField(_("栏目介绍"), blank=True)

    content_panels = EditorDefaults.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["bulletins.NewsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("联盟动态栏目")

    def articles(self):
        return NewsPage.listed(NewsPage.objects.child_of(self))

    def article_ids(self, community=None, tag=None):
        """Ids of the live articles listed here, newest first, with the filters applied."""
        articles = self.articles()
        if community:
            articles = articles.filter(community=community)
        if tag:
            articles = articles.filter(tagged_items__tag=tag)
        return list(articles.values_list("pk", flat=True))

    def filter_choices(self):
        """The communities and tags that have live news here, as plain values (so no choice leads nowhere)."""
        live_here = NewsPage.objects.child_of(self).live()
        communities = Community.objects.filter(pk__in=live_here.values("community_id"))
        tags = NewsPageTag.tag_model().objects.filter(
            bulletins_newspagetag_items__content_object__in=live_here.values("pk")
        )
        return {
            "communities": list(communities.values("pk", "slug", "name")),
            "tags": list(tags.distinct().order_by("name").values("pk", "slug", "name")),
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        tag_model = NewsPageTag.tag_model()
        community = params.lookup(request, "community", Community.objects.all(), _("没有这个社区。"))
        tag = params.lookup(request, "tag", tag_model.objects.all(), _("没有这个标签。"))
        # The list of ids and every card are plain values under the content generation: a page of
        # the index costs no query once they are cached, and one per missing card list otherwise.
        ids = remember(
            "news-index",
            lambda: self.article_ids(community, tag),
            self.pk,
            getattr(community, "pk", ""),
            getattr(tag, "pk", ""),
        )
        articles = params.paginate(request, ids, PAGE_SIZE)
        choices = remember("news-filters", self.filter_choices, self.pk)
        context.update(
            articles=articles,
            cards=cards.news_cards(NewsPage.cards(), articles.object_list, request),
            # A valid choice with nothing (yet) stays selectable.
            communities=_with_chosen(choices["communities"], community),
            tags=_with_chosen(choices["tags"], tag),
            current_community=community,
            current_tag=tag,
            filtered=bool(community or tag),
        )
        return context


def _with_chosen(choices, chosen):
    """The choices, with the chosen one added in name order when no live article has it yet."""
    if chosen is None or any(choice["pk"] == chosen.pk for choice in choices):
        return choices
    return sorted([*choices, {"pk": chosen.pk, "slug": chosen.slug, "name": chosen.name}], key=lambda c: c["name"])


class NewsPage(BulletinPage):
    """A news article: what the alliance did, problems solved, merchants honoured."""

    date = models.DateField(_("发布日期"), default=timezone.localdate)
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True, verbose_name=_("标签"))

    content_panels = EditorDefaults.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("community"), FieldPanel("tags"), FieldPanel("feed_image")],
            heading=_("分类与封面"),
        ),
        FieldPanel("body"),
    ]
    search_fields = BulletinPage.search_fields + [index.FilterField("date")]
    parent_page_types = ["bulletins.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("联盟动态")
        verbose_name_plural = _("联盟动态")

    og_type = "article"

    @classmethod
    def listed(cls, queryset=None):
        """Live, public news, newest first (for the ids of a list; bulletins/cards.py builds the cards)."""
        queryset = cls.objects.all() if queryset is None else queryset
        return public(queryset.live()).order_by("-date", "-pk")

    @classmethod
    def cards(cls, queryset=None):
        """Live, public news ready for cards: community, cover renditions and tags are
        fetched in a fixed number of queries however many cards there are."""
        return (
            cls.listed(queryset)
            .defer_streamfields()
            .select_related("community", "feed_image")
            .prefetch_related("feed_image__renditions", "tagged_items__tag")
        )

    @property
    def card_tags(self):
        """Tags from the prefetched through rows (``tags.all()`` would query once per card)."""
        return [item.tag for item in self.tagged_items.all()]

    def related_articles(self, tag_ids, limit=3):
        """Ids of recent live articles sharing a tag or the community."""
        condition = models.Q(tagged_items__tag_id__in=tag_ids)
        if self.community_id:
            condition |= models.Q(community_id=self.community_id)
        # A pk subquery rather than DISTINCT: the tag join can repeat a row.
        matching = NewsPage.objects.filter(condition).exclude(pk=self.pk).values("pk")
        return list(NewsPage.listed().filter(pk__in=matching).values_list("pk", flat=True)[:limit])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        tags = list(self.tags.all())
        tag_key = ",".join(str(t.pk) for t in tags)
        parent = self.get_parent()
        context.update(
            tags=tags,
            index_url=parent.get_url(request) if parent else "/",
            related=cards.news_cards(
                NewsPage.cards(),
                # Keyed by what it depends on, so a preview of a draft with other tags caches its own.
                remember(
                    "news-related",
                    lambda: self.related_articles([t.pk for t in tags]),
                    self.pk,
                    tag_key,
                    self.community_id,
                ),
                request,
            ),
        )
        return context


# --- Notices ------------------------------------------------------------------------


class NoticeIndexPage(RoutablePageMixin, EditorDefaults, Page):
    """通知公告: market days, meetings and activities; upcoming first, past ones archived."""

    intro = models.TextField(_("栏目介绍"), blank=True)

    content_panels = EditorDefaults.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["bulletins.NoticePage"]
    max_count = 1
    OCCURRENCES_PER_PAGE = 20

    class Meta:
        verbose_name = _("通知公告栏目")

    def notices(self):
        """Live, public notices of this section, in one query with their community."""
        return (
            public(NoticePage.objects.child_of(self).live())
            .defer_streamfields()
            .select_related("community")
            .order_by("start", "pk")
        )

    def occurrences(self):
        """The stored occurrences of this section's live, public notices (bulletins/occurrences.py)."""
        return NoticeOccurrence.objects.listed(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        kind = params.choice(request, "kind", NoticePage.Kind.values, _("没有这种通知类型。"))
        archive = request.GET.get("archive") == "1"
        now = timezone.now()
        occurrences = self.occurrences()
        if kind:
            occurrences = occurrences.filter(kind=kind)
        occurrences = occurrences.past(now) if archive else occurrences.upcoming(now)
        # One query: the page's 20 rows with what their cards show, and the total counted on the
        # occurrence table alone. No notice object is built.
        shown = params.paginate_in_one_query(
            request, occurrences, self.OCCURRENCES_PER_PAGE, rows=lambda found: found.cards()
        )
        shown.object_list = NoticeOccurrence.with_urls(shown.object_list, self, request)
        context.update(
            occurrences=shown,
            archive=archive,
            kinds=NoticePage.Kind.choices,
            current_kind=kind,
            current_kind_label=NoticePage.Kind(kind).label if kind else "",
            subscribe_url=self.subscribe_url(request),
            reminder_hours=reminder_hours(),
        )
        return context

    def subscribe_url(self, request):
        """The feed as webcal://, which phones open as a subscription rather than a one-off import."""
        url = self.get_full_url(request)
        if not url:
            return ""
        return "webcal://" + (url + self.reverse_subpage("calendar")).split("://", 1)[1]

    # Wagtail's routing hands sub-routes a trailing slash; reversing drops the optional one,
    # so links read /notices/calendar.ics as the public URL map says.
    @re_path(r"^calendar\.ics/?$", name="calendar")
    @method_decorator(conditional)
    def calendar(self, request):
        notices = self.notices().prefetch_related("merchants")
        return calendar_response(notices, filename=feed_name(), fallback="shangju-notices", request=request)


class NoticePage(RoutablePageMixin, BulletinPage):
    """A market day, alliance meeting or volunteer activity, once or on a repeat rule.

    bulletins/scheduling.py expands the rule for the website and bulletins/ical.py writes
    the same rule as an RRULE, so both follow RFC 5545.
    """

    class Kind(models.TextChoices):
        MARKET_DAY = "market_day", _("便民集市")
        MEETING = "meeting", _("联盟议事")
        VOLUNTEER = "volunteer", _("志愿服务")
        NOTICE = "notice", _("其他通知")

    # The repeat vocabulary belongs to the rule expansion (scheduling.py), which needs no model.
    Repeat = scheduling.Repeat
    Weekday = scheduling.Weekday
    Ordinal = scheduling.Ordinal

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.MARKET_DAY)
    start = models.DateTimeField(
        _("开始时间"),
        help_text=_(
            "第一次活动的开始时间（北京时间）。重复活动如果这一天不符合重复规则，从之后第一个符合规则的日子算起"
        ),
    )
    end = models.DateTimeField(
        _("结束时间"), help_text=_("第一次活动的结束时间，须晚于开始时间；每次重复的时长与第一次相同")
    )
    place = models.CharField(_("地点"), max_length=200, help_text=_("例如：幸福里社区广场"))
    merchants = ParentalManyToManyField(
        "alliance.Merchant",
        blank=True,
        related_name="notices",
        verbose_name=_("参加商户"),
        help_text=_("参加本次活动的商户；网站只列出联盟商户"),
    )
    repeat = models.CharField(
        _("重复"),
        max_length=20,
        choices=Repeat.choices,
        default=Repeat.NONE,
        blank=True,
        help_text=_("选择重复方式后，填写下面对应的项目"),
    )
    repeat_day = models.PositiveSmallIntegerField(
        _("每月几日"),
        null=True,
        blank=True,
        help_text=_("1 至 31。没有这一天的月份当月不举办（如每月 31 日在 2、4、6、9、11 月不举办），与手机日历一致"),
    )
    repeat_weekday = models.PositiveSmallIntegerField(
        _("星期几"), choices=Weekday.choices, null=True, blank=True, help_text=_("每周或每月第几个星期几时填写")
    )
    repeat_ordinal = models.SmallIntegerField(
        _("第几个"), choices=Ordinal.choices, null=True, blank=True, help_text=_("每月第几个星期几时填写")
    )
    repeat_until = models.DateField(
        _("重复截止日期"), null=True, blank=True, help_text=_("不填则一直重复；截止日期当天的活动照常举办")
    )

    content_panels = EditorDefaults.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("kind"), FieldPanel("feed_image")], heading=_("分类与封面")),
        FieldPanel("body"),
    ]
    schedule_panels = [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("start"), FieldPanel("end")]), FieldPanel("place"), FieldPanel("community")],
            heading=_("时间地点"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("repeat"),
                FieldRowPanel([FieldPanel("repeat_day"), FieldPanel("repeat_ordinal"), FieldPanel("repeat_weekday")]),
                FieldPanel("repeat_until"),
            ],
            heading=_("重复规则"),
        ),
        FieldPanel("merchants"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("内容")),
            ObjectList(schedule_panels, heading=_("时间地点")),
            ObjectList(EditorDefaults.promote_panels, heading=_("推荐")),
            ObjectList(Page.settings_panels, heading=_("设置")),
        ]
    )
    search_fields = BulletinPage.search_fields + [index.SearchField("place"), index.FilterField("kind")]
    parent_page_types = ["bulletins.NoticeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")

    @property
    def search_tokens(self):
        return index_tokens(self.title, self.intro, self.place, body_text(self.body))

    # Which repeat fields each rule uses; the others are cleared so stale values never linger.
    REPEAT_FIELDS = {
        Repeat.NONE: (),
        Repeat.MONTHLY_DAY: ("repeat_day", "repeat_until"),
        Repeat.MONTHLY_WEEKDAY: ("repeat_ordinal", "repeat_weekday", "repeat_until"),
        Repeat.WEEKLY: ("repeat_weekday", "repeat_until"),
    }

    def clean(self):
        super().clean()
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("结束时间须晚于开始时间。")
        used = self.REPEAT_FIELDS.get(self.repeat or "", ())
        for field in ("repeat_day", "repeat_ordinal", "repeat_weekday", "repeat_until"):
            if field not in used:
                setattr(self, field, None)
        if self.repeat == self.Repeat.MONTHLY_DAY:
            if not self.repeat_day or not 1 <= self.repeat_day <= 31:
                errors["repeat_day"] = _("请填写每月的哪一天（1 至 31）。")
        elif self.repeat == self.Repeat.MONTHLY_WEEKDAY:
            if self.repeat_ordinal is None:
                errors["repeat_ordinal"] = _("请选择第几个。")
            if self.repeat_weekday is None:
                errors["repeat_weekday"] = _("请选择星期几。")
        elif self.repeat == self.Repeat.WEEKLY:
            if self.repeat_weekday is None:
                errors["repeat_weekday"] = _("请选择星期几。")
        if self.repeat and self.repeat_until and self.start and self.end:
            if self.repeat_until < scheduling.local(self.start).date():
                errors["repeat_until"] = _("重复截止日期不能早于第一次活动。")
            elif not errors and scheduling.first_occurrence(self) is None:
                errors["repeat_until"] = _("从开始时间到截止日期之间没有符合重复规则的日子，请检查。")
        if errors:
            raise ValidationError(errors)

    @property
    def repeat_description(self):
        """The repeat rule in words, e.g. 每月 18 日 or 每月第一个星期六."""
        return scheduling.describe_repeat(self)

    @property
    def map_url(self):
        """Where the notice happens, on a map people in China can open (alliance/maps.py)."""
        return maps.search_url(self.place)

    @cached_property
    def first_occurrence(self):
        return scheduling.first_occurrence(self)

    @cached_property
    def upcoming(self):
        return scheduling.next_occurrences(self, count=6)

    def participating_members(self):
        """Participating merchants that are alliance members; the others are not shown publicly."""
        return (
            self.merchants.filter(membership_status=Merchant.Status.MEMBER)
            .select_related("community")
            .order_by("name", "pk")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["participating"] = list(self.participating_members())
        context["reminder_hours"] = reminder_hours()
        # Blocks other apps add below the notice (volunteer points: sign-up and 公示); bulletins
        # imports none of them, they register a "notice_extras" hook: fn(notice, request) -> dict or None.
        context["extras"] = [extra for hook in hooks.get_hooks("notice_extras") if (extra := hook(self, request))]
        return context

    @re_path(r"^event\.ics/?$", name="event")
    @method_decorator(conditional)
    def event(self, request):
        filename, fallback = self.download_names()
        return calendar_response([self], filename=filename, fallback=fallback, name=self.title, request=request)

    def download_names(self):
        """(name, ASCII fallback) of the notice's .ics: its title and date, the next one for a repeat."""
        when = next(iter(self.upcoming), None) or self.first_occurrence
        stem = self.slug if self.slug.isascii() else f"notice-{self.pk}"
        if when is None:
            return self.title, stem
        day = scheduling.local(when.start).date()
        return f"{self.title} {formats.date_format(day, 'SHORT_DATE_FORMAT')}", f"{stem}-{day:%Y%m%d}"


# --- Honour rolls -------------------------------------------------------------------


class HonourRollIndexPage(EditorDefaults, Page):
    """红黑榜: every quarter's honour roll, newest first."""

    intro = models.TextField(_("栏目介绍"), blank=True)

    content_panels = EditorDefaults.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["bulletins.HonourRollPage"]
    max_count = 1

    class Meta:
        verbose_name = _("红黑榜栏目")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        ids = remember("roll-index", lambda: list(self.rolls().values_list("pk", flat=True)), self.pk)
        rolls = params.paginate(request, ids, PAGE_SIZE)
        context["rolls"] = rolls
        context["cards"] = cards.roll_cards(HonourRollPage.index_cards(), rolls.object_list, request)
        return context

    def rolls(self):
        return public(HonourRollPage.objects.child_of(self).live()).order_by("-period_end", "-pk")


class HonourRollPage(BulletinPage):
    """One period's honour roll (红榜) with its warning list (黑榜)."""

    period_label = models.CharField(_("评选周期"), max_length=40, help_text=_("例如：2026年第三季度"))
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"))

    content_panels = EditorDefaults.content_panels + [
        FieldRowPanel([FieldPanel("period_label"), FieldPanel("period_start"), FieldPanel("period_end")]),
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("community"), FieldPanel("feed_image")], heading=_("分类与封面")),
        InlinePanel("honours", heading=_("红榜"), label=_("上榜商户")),
        InlinePanel("warnings", heading=_("黑榜"), label=_("警示商户")),
        FieldPanel("body"),
    ]
    search_fields = BulletinPage.search_fields + [index.SearchField("period_label")]
    parent_page_types = ["bulletins.HonourRollIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("红黑榜")
        verbose_name_plural = _("红黑榜")

    @classmethod
    def index_cards(cls):
        """Rolls with their red flags' merchants, for the index's cards (bulletins/cards.py)."""
        red_flags = models.Prefetch(
            "honours",
            queryset=HonourEntry.objects.filter(title=HonourEntry.Title.RED_FLAG).select_related("merchant"),
            to_attr="red_flags",
        )
        return cls.objects.defer_streamfields().prefetch_related(red_flags)

    @property
    def search_tokens(self):
        citations = " ".join(f"{h.merchant.name} {h.get_title_display()} {h.citation}" for h in self.honours.all())
        return index_tokens(self.title, self.period_label, self.intro, citations, body_text(self.body))

    def clean(self):
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("周期结束不能早于周期开始。")})

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        honours = list(self.honours.select_related("merchant", "merchant__community"))
        context["honours"] = honours
        context["honour_groups"] = self.group_honours(honours)
        context["warnings"] = self.warnings.select_related("merchant", "merchant__community")
        return context

    @staticmethod
    def group_honours(honours):
        """Entries under their title, in the order of HonourEntry.Title (red flag first)."""
        groups = {value: [] for value in HonourEntry.Title.values}
        for honour in honours:
            groups.setdefault(honour.title, []).append(honour)
        labels = dict(HonourEntry.Title.choices)
        return [
            {"title": value, "label": labels.get(value, value), "entries": entries}
            for value, entries in groups.items()
            if entries
        ]


class HonourEntry(Orderable):
    """A member merchant named on a roll with the title it earned."""

    class Title(models.TextChoices):
        RED_FLAG = "red_flag", _("流动红旗")
        CIVILISED = "civilised", _("文明诚信商户")
        PARTY_PIONEER = "party_pioneer", _("党员先锋商户")
        VOLUNTEER = "volunteer", _("最美志愿服务商户")

    page = ParentalKey(HonourRollPage, on_delete=models.CASCADE, related_name="honours")
    merchant = models.ForeignKey(
        "alliance.Merchant", on_delete=models.PROTECT, related_name="honours", verbose_name=_("商户")
    )
    title = models.CharField(_("称号"), max_length=20, choices=Title.choices)
    citation = models.CharField(_("评语"), max_length=200, blank=True, help_text=_("一句话说明为什么上榜"))

    panels = [FieldPanel("merchant"), FieldPanel("title"), FieldPanel("citation")]

    class Meta(Orderable.Meta):
        verbose_name = _("上榜商户")
        verbose_name_plural = _("红榜")

    def __str__(self):
        return f"{self.merchant} · {self.get_title_display()}"


class WarningEntry(Orderable):
    """A shop on the warning list (黑榜) for an unresolved violation."""

    page = ParentalKey(HonourRollPage, on_delete=models.CASCADE, related_name="warnings")
    merchant = models.ForeignKey(
        "alliance.Merchant", on_delete=models.PROTECT, related_name="warnings", verbose_name=_("商户")
    )
    reason = models.CharField(_("原因"), max_length=200, help_text=_("例如：多次占道经营，经劝导未整改"))
    resolved = models.BooleanField(_("已整改"), default=False)
    resolution = models.CharField(_("整改情况"), max_length=200, blank=True)

    panels = [
        FieldPanel("merchant"),
        FieldPanel("reason"),
        FieldRowPanel([FieldPanel("resolved"), FieldPanel("resolution")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("警示商户")
        verbose_name_plural = _("黑榜")

    def __str__(self):
        return f"{self.merchant} · {self.reason}"
