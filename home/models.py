"""The site shell: home page, standard pages and the office's site-wide settings."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from alliance.models import Community
from bulletins.blocks import BodyBlock, body_text
from bulletins.cards import news_cards
from bulletins.models import HonourRollPage, NewsPage, NoticeOccurrence
from portal.contentcache import public, remember
from portal.editing import EditorDefaults
from portal.tokenize import index_tokens


class HomePage(EditorDefaults, Page):
    """The front page: next notices, latest news, current honours and quick links."""

    welcome = models.CharField(
        _("欢迎语"), max_length=120, blank=True, help_text=_("首页顶部的一句话，例如：商户居民一家亲，共建美好街区")
    )
    intro = models.TextField(_("简介"), blank=True, help_text=_("一两句话介绍商居联盟"))

    content_panels = EditorDefaults.content_panels + [FieldPanel("welcome"), FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The current roll and the latest cards are plain values under the content generation.
        host = request.get_host()
        current_roll = remember("home-roll", lambda: self.current_roll(request), self.pk, host)
        honours = current_roll["honours"] if current_roll else []
        latest = remember("home-latest-news", lambda: self.latest_news_ids(), self.pk)
        context.update(
            upcoming=self.upcoming_notices(request),
            latest_news=news_cards(NewsPage.cards(), latest, request),
            current_roll=current_roll,
            honours=honours,
            red_flag=next((h for h in honours if h["title"] == "red_flag"), None),
            today=timezone.localdate(),
        )
        return context

    def latest_news_ids(self, count=5):
        return list(NewsPage.listed(NewsPage.objects.descendant_of(self)).values_list("pk", flat=True)[:count])

    def current_roll(self, request=None):
        """The newest live roll with every honour on it, as plain values; None before the first."""
        roll = (
            public(HonourRollPage.objects.live())
            .descendant_of(self)
            .defer_streamfields()
            .order_by("-period_end", "-pk")
        ).first()
        if roll is None:
            return None
        honours = [
            {
                "title": honour.title,
                "label": str(honour.get_title_display()),
                "citation": honour.citation,
                "merchant_name": honour.merchant.name,
                "merchant_url": honour.merchant.get_absolute_url(),
            }
            for honour in roll.honours.select_related("merchant")
        ]
        return {"url": roll.get_url(request), "period_label": roll.period_label, "honours": honours}

    def upcoming_notices(self, request=None, count=3):
        """The next occurrence of each of the `count` soonest notices, from the stored
        occurrences (bulletins/occurrences.py) in one query.

        One per notice: a monthly market day would otherwise fill all three places. The three
        rows are kept under the content generation (a publish replaces them at once; a date
        that has just ended may stay up to CONTENT_CACHE_SECONDS); their URLs are not.
        """

        def soonest():
            return list(NoticeOccurrence.objects.listed(self).next_of_each_notice(count).cards())

        return NoticeOccurrence.with_urls(remember("home-upcoming", soonest, self.pk, count), self, request)


class StandardPage(EditorDefaults, Page):
    """About, organisation, the alliance convention: a title and a body."""

    intro = models.TextField(_("摘要"), blank=True, help_text=_("一两句话概括本页内容"))
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)
    show_organisation = models.BooleanField(
        _("显示组织架构"),
        default=False,
        help_text=_("勾选后在正文下方自动列出社区、网格、街巷和楼栋长（来自联盟名录）"),
    )

    content_panels = EditorDefaults.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("show_organisation"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("search_tokens")]
    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("普通页面")

    @property
    def search_tokens(self):
        return index_tokens(self.title, self.intro, body_text(self.body))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if self.show_organisation:
            context["communities"] = Community.objects.prefetch_related("grids__areas")
        context["children"] = public(self.get_children().live())
        return context


@register_setting(icon="site")
class OfficeSettings(BaseSiteSetting):
    """Who runs the portal and how residents reach them; shown in the footer."""

    office_name = models.CharField(
        _("办公室名称"), max_length=80, default="商居联盟办公室", help_text=_("显示在页头和页脚")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    hotline = models.CharField(
        _("服务热线"), max_length=40, blank=True, help_text=_("居民拨打的电话，例如：0931-12345678")
    )
    hours = models.CharField(_("办公时间"), max_length=100, blank=True, help_text=_("例如：工作日 8:30—17:30"))
    share_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("默认分享图"),
        help_text=_("页面没有封面图时用于微信等分享卡片"),
    )

    panels = [
        MultiFieldPanel([FieldPanel("office_name"), FieldPanel("address"), FieldPanel("hotline"), FieldPanel("hours")]),
        FieldPanel("share_image"),
    ]

    class Meta:
        verbose_name = _("办公室信息")
