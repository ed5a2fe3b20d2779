"""Admin listing pieces every app's tables may use (Wagtail's `wagtail.admin.ui.tables`).

- `DateTimeColumn`: a moment as a date and time in the site's zone (2026年11月22日 16:30). Wagtail's
  `DateColumn` shows a relative "3 小时前", and "刚刚" for every moment in the future, which is
  exactly what a deadline is. With `overdue`, a missed deadline is red and says 已超期 (the word,
  so it does not rest on colour alone).
- `StackedTable`: a listing that turns each row into a card on a phone, every value under its
  column's label; the labels travel on the cells (data-label), the layout is its stylesheet's.
- `TextColumn`, `LinkColumn`, `StatusColumn` (and `DateTimeColumn`): cells built in Python with
  `format_html`, not each through a template. Wagtail renders one template per cell: a page of 30
  cases in 10 columns is 300 template renders, which were most of the case inbox's CPU. The
  markup is that of Wagtail's cell templates (cell.html, title_cell.html, status_tag_cell.html).
"""

import re

from django.utils import dateformat, formats, timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from wagtail.admin.ui.tables import Column, StatusTagColumn, Table, TitleColumn

_CELL_START = re.compile(r"^\s*<td\b")
_TAGS = re.compile(r"<[^>]*>")


class PlainCellMixin:
    """A column whose cell is built in Python: `cell_content(instance)` gives (inner HTML, empty)."""

    def cell_content(self, instance):
        raise NotImplementedError

    def cell_classname(self):
        return self.classname or ""

    def cell_html(self, instance, attrs=""):
        """The whole <td>, with `attrs` (safe HTML) inside its opening tag; data-empty when blank.

        Plain string joins of escaped parts: nested format_html calls cost as much as the rest.
        """
        html, empty = self.cell_content(instance)
        classname = self.cell_classname()
        opening = f'<td{attrs} class="{escape(classname)}"' if classname else f"<td{attrs}"
        return mark_safe(f"{opening}{' data-empty' if empty and attrs else ''}>{html}</td>")  # noqa: S308

    def render_cell_html(self, instance, parent_context):
        return self.cell_html(instance)


def _blank(value):
    return value is None or not str(value).strip()


class TextColumn(PlainCellMixin, Column):
    """A plain value, escaped (Wagtail's Column)."""

    def cell_content(self, instance):
        value = self.get_value(instance)
        if _blank(value):
            return "", True
        return conditional_escape(value), False


class LinkColumn(PlainCellMixin, TitleColumn):
    """The row's title as a link (Wagtail's TitleColumn with `get_url` or `url_name`, no buttons)."""

    def cell_content(self, instance):
        value = self.get_value(instance)
        title = conditional_escape(self.empty_value_display if _blank(value) else value)
        url = self.get_link_url(instance, None)
        if url:
            title = f'<a href="{escape(url)}">{title}</a>'
        return f'<div class="title-wrapper">{title}</div>', False

    def cell_classname(self):
        return f"{self.classname} title" if self.classname else "title"


class StatusColumn(PlainCellMixin, StatusTagColumn):
    """A status tag, primary (highlighted) where `primary` says so (Wagtail's StatusTagColumn)."""

    def cell_content(self, instance):
        value = self.get_value(instance)
        if _blank(value):
            return mark_safe('<span class="w-status"></span>'), True
        classname = "w-status w-status--primary" if self.get_primary(instance) else "w-status"
        return f'<span class="{classname}">{conditional_escape(value)}</span>', False


def moment_html(moment, overdue=False):
    """A moment in the site's zone as templates/portal/tables/moment.html renders it."""
    if not moment:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    time = (
        f'<time datetime="{escape(dateformat.format(local, "c"))}">'
        f"{escape(formats.date_format(local, 'SHORT_DATETIME_FORMAT'))}</time>"
    )
    if overdue:
        late = escape(_("已超期"))
        return mark_safe(  # noqa: S308 - every part escaped above
            f'<span class="deadline deadline--overdue w-text-critical-200">{time} <strong>{late}</strong></span>'
        )
    return mark_safe(f'<span class="deadline">{time}</span>')  # noqa: S308 - every part escaped above


class DateTimeColumn(PlainCellMixin, Column):
    """A date-time column; `overdue` (an attribute name or a callable of the row) marks a missed deadline."""

    def __init__(self, name, overdue=None, **kwargs):
        super().__init__(name, **kwargs)
        self.overdue = overdue

    def is_overdue(self, instance):
        if self.overdue is None:
            return False
        return bool(self.overdue(instance) if callable(self.overdue) else getattr(instance, self.overdue, False))

    def cell_content(self, instance):
        moment = self.get_value(instance)
        if moment is None:
            return "", True
        return moment_html(moment, self.is_overdue(instance)), False


def _labels(column):
    """` data-column="…" data-label="…"`, built once per column."""
    attrs = getattr(column, "_stacked_attrs", None)
    if attrs is None:
        attrs = column._stacked_attrs = format_html(' data-column="{}" data-label="{}"', column.name, column.label)
    return attrs


class LabelledCell:
    """A table cell whose <td> carries its column's name and label."""

    def __init__(self, cell):
        self.cell = cell

    def render_html(self, parent_context):
        column = self.cell.column
        if isinstance(column, PlainCellMixin):
            # Built in Python: no template, and no regular expressions over the result.
            return column.cell_html(self.cell.instance, _labels(column))
        attrs = format_html('<td data-column="{}" data-label="{}"', column.name, column.label)
        html = self.cell.render_html(parent_context)
        if not _TAGS.sub("", html).strip():
            # Nothing to read: the stacked layout leaves the cell (and its label) out.
            attrs += " data-empty"
        # Every Wagtail cell template starts with its <td>; a cell that does not is left as it is.
        return mark_safe(_CELL_START.sub(lambda _match: attrs, html, count=1))  # noqa: S308 - attrs escaped above


class StackedTable(Table):
    """A listing table whose rows stack as cards under static/css/admin-stacked-table.css's breakpoint."""

    classname = "listing listing--stacked"

    class Media:
        css = {"all": ["css/admin-stacked-table.css"]}

    class Row(Table.Row):
        def __getitem__(self, key):
            return LabelledCell(super().__getitem__(key))

    @property
    def rows(self):
        for index, instance in enumerate(self.data):
            yield self.Row(self, instance, index)
