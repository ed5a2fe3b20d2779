"""Exports open in spreadsheets: whatever text is stored, the file is written and nothing in it runs.

`spreadsheet_text` is the one cell helper, for every export (XLSX and CSV):

- characters an XLSX file may not hold (C0 controls but tab and line feed, lone surrogates,
  U+FFFE/U+FFFF) and invisible controls (DEL, C1) are replaced by visible stand-ins, and line
  breaks written as "\\n" (portal/xmltext.py): one control character in a shop name or an answer
  must not make the export of the whole list fail;
- text a spreadsheet would read as a formula gets a leading apostrophe: = + - @, their full-width
  forms ＝ ＋ － ＠ (CJK input methods type them, and some spreadsheets read them as ASCII), | and ;
  (DDE and separators), also behind leading spaces, tabs or line breaks, which some importers strip.

Everything else is left as it was; values that are not text (numbers, dates, None) pass through.

Every export goes through it: Wagtail's (snippet listings, form submissions, the admin reports)
because `protect_wagtail_exports` wraps the two methods all of them pass cells and headings through,
and our own workbooks because they are built by `xlsx_bytes`.
"""

import io
import re

from .xmltext import xml_text

FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "|", ";")
# Stripped by some importers before they look at the first character.
LEADING_BLANKS = " \t\n\u3000"
# Sheet titles: Excel refuses these characters and more than 31 characters.
_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


def spreadsheet_text(value):
    """The cell for `value`: readable, never a formula; text without either problem as it was."""
    text = xml_text(value)
    if not isinstance(text, str):
        return text
    if text.lstrip(LEADING_BLANKS).startswith(FORMULA_STARTS):
        return "'" + text
    return text


def sheet_title(value):
    """A worksheet title Excel accepts: readable, none of []:*?/\\, no apostrophe at either end, 31 at most."""
    title = _SHEET_TITLE.sub("_", xml_text(str(value))).strip("'")[:31].strip("'")
    return title or "Sheet"


def spreadsheet_row(values):
    return [spreadsheet_text(value) for value in values]


class Formatted:
    """A cell value with an Excel number format, e.g. Formatted(0.5, "0.0%") shows 50.0% and stays a number."""

    def __init__(self, value, number_format):
        self.value, self.number_format = value, number_format


def xlsx_bytes(sheets):
    """An XLSX file (bytes) of [(title, rows)]: every cell and title through spreadsheet_text.

    A cell may be a `Formatted` value, written with its number format (rates as percent numbers).
    """
    from openpyxl import Workbook  # noqa: PLC0415 - openpyxl loads only when a workbook is asked for
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=sheet_title(title))
        for row in rows:
            cells = []
            for value in row:
                if isinstance(value, Formatted):
                    cell = WriteOnlyCell(sheet, value=spreadsheet_text(value.value))
                    cell.number_format = value.number_format
                    cells.append(cell)
                else:
                    cells.append(spreadsheet_text(value))
            sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def protect_wagtail_exports():
    """Pass every cell and heading of Wagtail's exports through spreadsheet_text (once, at start-up).

    Wagtail's snippet and model listings, form submissions and admin reports (site history, aging
    pages, workflows, locked pages) all export through SpreadsheetExportMixin, whose
    preprocess_field_value sees every cell and get_heading every heading. Wrapping those two at the
    class reaches every export, including the reports whose views we do not own; a subclass per
    view would miss the next one Wagtail adds.
    """
    from wagtail.admin.views.mixins import SpreadsheetExportMixin  # noqa: PLC0415 - needs the app registry

    if getattr(SpreadsheetExportMixin, "_shangju_safe_cells", False):
        return
    preprocess, heading = SpreadsheetExportMixin.preprocess_field_value, SpreadsheetExportMixin.get_heading

    def preprocess_field_value(self, field, value, export_format):
        return spreadsheet_text(preprocess(self, field, value, export_format))

    def get_heading(self, queryset, field):
        return spreadsheet_text(heading(self, queryset, field))

    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
    SpreadsheetExportMixin.get_heading = get_heading
    SpreadsheetExportMixin._shangju_safe_cells = True
