"""The dated occurrences of live notices, stored when a notice changes (issue 13).

The notices index and the home page list occurrences with an indexed query (ORDER BY start with
LIMIT/OFFSET) on this table instead of expanding every repeat rule on each request. The rows are
made by scheduling.stored_occurrences, the same functions the notice page and the .ics use, so the
website, the table and the calendar agree.

What a card shows is split by who can change it:

- stored on the row, rewritten whenever the notice itself is saved (publish, unpublish, a
  scheduled publish, a revert; post_save): the dates, title, kind, place, community, the rule in
  words, and the tree path; a move rewrites every row's path (post_page_move);
- read at list time, because they change without the notice being saved: the page's URL path
  (a parent's new slug rewrites it for every descendant) through a join for the rows shown,
  the community's name, and the view restrictions (public(), against the stored path).

Rows exist only for live notices: unpublishing deletes them, deleting the page deletes them by
CASCADE, and a restriction hides them at once without any row being rewritten. Code that sets
live=False with a queryset update() (no save, so no signal) leaves rows behind until the
nightly command, which deletes the rows of every notice that is not live.

Repeating series are stored from a year back to a year and a month ahead of the time they were
written; the lists cut them to exactly a year each way from now. `manage.py
refresh_notice_occurrences`, run nightly, moves that horizon on. If it has not run for a while,
the lists stay exact for 31 days (scheduling.STORED_MARGIN); after that the far end of the
upcoming list (dates more than a year and a month after the last run) is missing until it runs,
and the notice pages and the .ics, which expand the rule themselves, still show every date.
"""

import datetime

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from portal.contentcache import public

from . import scheduling

# The page fields the stored values come from: a save that writes none of them (Wagtail's
# save_revision of a live page writes only draft bookkeeping) leaves the rows as they are.
SOURCE_FIELDS = frozenset(
    {
        "live",
        "title",
        "kind",
        "place",
        "community",
        "community_id",
        "start",
        "end",
        "repeat",
        "repeat_day",
        "repeat_weekday",
        "repeat_ordinal",
        "repeat_until",
    }
)


class NoticeOccurrenceQuerySet(models.QuerySet):
    def listed(self, under):
        """Rows of public notices below the page `under` (rows exist only for live notices)."""
        return public(self.filter(path__startswith=under.path))

    def upcoming(self, now=None, window=scheduling.UPCOMING_WINDOW):
        """What scheduling.upcoming_occurrences lists, soonest first."""
        now = now or timezone.now()
        return (
            self.filter(end__gt=now)
            .filter(models.Q(is_repeat=False) | models.Q(start__lt=now + window))
            .order_by("start", "notice_id")
        )

    def past(self, now=None, window=scheduling.ARCHIVE_WINDOW):
        """What scheduling.past_occurrences lists, most recent first."""
        now = now or timezone.now()
        return (
            self.filter(end__lte=now)
            .filter(models.Q(is_repeat=False) | models.Q(end__gt=now - window))
            .order_by("-start", "-notice_id")
        )

    def next_of_each_notice(self, count, now=None):
        """The next upcoming row of each of the `count` notices whose next row is soonest, soonest
        first: a weekly market takes one place, not all of them. One query: the soonest notices
        by MIN(start), then their first upcoming row."""
        now = now or timezone.now()
        upcoming = self.upcoming(now)
        soonest = (
            upcoming.order_by()
            .values("notice_id")
            .annotate(first=models.Min("start"))
            .order_by("first", "notice_id")
            .values("notice_id")[:count]
        )
        earlier = NoticeOccurrence.objects.filter(
            notice_id=models.OuterRef("notice_id"), end__gt=now, start__lt=models.OuterRef("start")
        )
        return upcoming.filter(notice_id__in=soonest).exclude(models.Exists(earlier))

    def cards(self):
        """Only what a card shows: the stored values, the community and the page's URL path."""
        return (
            self.select_related("community")
            .annotate(url_path=models.F("notice__url_path"))
            .only(
                "notice_id",
                "start",
                "end",
                "title",
                "kind",
                "place",
                "is_repeat",
                "repeat_description",
                "community",
                "community__name",
            )
        )


class NoticeOccurrenceManager(models.Manager.from_queryset(NoticeOccurrenceQuerySet)):
    def refresh(self, notice, now=None):
        """Replace the rows of one notice by what its live version gives now; none when it is not live."""
        now = now or timezone.now()
        rows = (
            [self.model.from_occurrence(o) for o in scheduling.stored_occurrences(notice, now)] if notice.live else []
        )
        with transaction.atomic():
            self.filter(notice_id=notice.pk).delete()
            self.bulk_create(rows)
        return rows

    def refresh_all(self, notices, now=None):
        """Rewrite every notice's rows (the nightly top-up); rows of notices not given are deleted.
        Returns (notices, rows written)."""
        now = now or timezone.now()
        count = written = 0
        with transaction.atomic():
            self.exclude(notice__in=notices.values("pk")).delete()
            for notice in notices.iterator(chunk_size=200):
                count += 1
                written += len(self.refresh(notice, now))
        return count, written


class NoticeOccurrence(models.Model):
    """One dated occurrence of a live notice, with the values its card shows (derived data:
    never edited, rebuilt from the notice; see the module docstring)."""

    notice = models.ForeignKey(
        "bulletins.NoticePage", on_delete=models.CASCADE, related_name="occurrences", db_index=False
    )
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    title = models.CharField(_("标题"), max_length=255)
    kind = models.CharField(_("类型"), max_length=20)
    place = models.CharField(_("地点"), max_length=200)
    community = models.ForeignKey(
        "alliance.Community", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The notice's tree path, for the section and restriction filters without a join; rewritten
    # whenever a page moves (treebeard renumbers siblings too).
    path = models.CharField(max_length=255)
    is_repeat = models.BooleanField(default=False)
    repeat_description = models.CharField(max_length=200, blank=True)

    objects = NoticeOccurrenceManager()

    class Meta:
        verbose_name = _("活动日期")
        verbose_name_plural = _("活动日期")
        constraints = [models.UniqueConstraint(fields=["notice", "start"], name="notice_occurrence_once")]
        indexes = [
            models.Index(fields=["start", "notice"], name="notice_occurrence_start"),
            models.Index(fields=["end"], name="notice_occurrence_end"),
            models.Index(fields=["kind", "start"], name="notice_occurrence_kind"),
        ]

    def __str__(self):
        return f"{self.title} {scheduling.local(self.start):%Y-%m-%d %H:%M}"

    @classmethod
    def from_occurrence(cls, occurrence):
        notice = occurrence.notice
        return cls(
            notice_id=notice.pk,
            path=notice.path,
            start=occurrence.start,
            end=occurrence.end,
            title=notice.title,
            kind=notice.kind,
            place=notice.place,
            community_id=notice.community_id,
            is_repeat=bool(notice.repeat),
            repeat_description=scheduling.describe_repeat(notice),
        )

    @property
    def ends_another_day(self):
        """True for an evening activity that runs past midnight, so its end date must be shown."""
        end = scheduling.local(self.end) - datetime.timedelta(microseconds=1)
        return end.date() != scheduling.local(self.start).date()

    def get_kind_display(self):
        kinds = self._meta.get_field("notice").related_model.Kind
        try:
            return kinds(self.kind).label
        except ValueError:
            return self.kind

    @staticmethod
    def with_urls(rows, under, request=None):
        """The rows as a list, each with .url. Every row lies below the page `under` (the section
        or the home page it was listed for), so its URL is under's URL followed by the rest of its
        URL path: what Wagtail's get_url gives, with no page object built per row."""
        rows = list(rows)
        base = under.get_url(request=request)
        for row in rows:
            if base and row.url_path.startswith(under.url_path):
                row.url = base + row.url_path[len(under.url_path) :]
            else:
                row.url = Page(id=row.notice_id, url_path=row.url_path).get_url(request=request)
        return rows


def notice_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """post_save of NoticePage: rewrite its rows from what was saved (see SOURCE_FIELDS)."""
    if raw:
        return
    if update_fields is not None:
        if not SOURCE_FIELDS.intersection(update_fields):
            return
        # A partial save: the instance may hold fields that were not written (a draft's).
        instance = type(instance).objects.filter(pk=instance.pk).first()
        if instance is None:
            return
    NoticeOccurrence.objects.refresh(instance)


def page_moved(sender, **kwargs):
    """post_page_move: a move renumbers the tree paths of the page, its descendants and its
    siblings, so every row takes its notice's path again (one UPDATE; moves are rare)."""
    NoticeOccurrence.objects.update(
        path=models.Subquery(Page.objects.filter(pk=models.OuterRef("notice_id")).values("path")[:1])
    )
