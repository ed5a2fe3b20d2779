"""Exports open in spreadsheets: text typed by the public must never run there as a formula."""

# Characters that make a spreadsheet read a cell as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value):
    """Text a spreadsheet would read as a formula (=, +, -, @ …) gets a leading quote; the rest as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
