"""Admin listing pieces every app's tables may use (Wagtail's `wagtail.admin.ui.tables`).

- `DateTimeColumn`: a moment as a date and time in the site's zone (2026年11月22日 16:30). Wagtail's
  `DateColumn` shows a relative "3 小时前", and "刚刚" for every moment in the future, which is
  exactly what a deadline is. With `overdue`, a missed deadline is red and says 已超期 (the word,
  so it does not rest on colour alone).
- `StackedTable`: a listing that turns each row into a card on a phone, every value under its
  column's label; the labels travel on the cells (data-label), the layout is its stylesheet's.
"""

import re

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail.admin.ui.tables import Column, Table

_CELL_START = re.compile(r"^\s*<td\b")
_TAGS = re.compile(r"<[^>]*>")


class DateTimeColumn(Column):
    """A date-time column; `overdue` (an attribute name or a callable of the row) marks a missed deadline."""

    cell_template_name = "portal/tables/datetime_cell.html"

    def __init__(self, name, overdue=None, **kwargs):
        super().__init__(name, **kwargs)
        self.overdue = overdue

    def is_overdue(self, instance):
        if self.overdue is None:
            return False
        return bool(self.overdue(instance) if callable(self.overdue) else getattr(instance, self.overdue, False))

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["overdue"] = context["raw_value"] is not None and self.is_overdue(instance)
        return context


class LabelledCell:
    """A table cell whose <td> carries its column's name and label."""

    def __init__(self, cell):
        self.cell = cell

    def render_html(self, parent_context):
        html = self.cell.render_html(parent_context)
        column = self.cell.column
        attrs = format_html('<td data-column="{}" data-label="{}"', column.name, column.label)
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
