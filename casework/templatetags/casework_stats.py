"""The statistics page's one filter: a rate as the export and the page both show it."""

from django import template

from casework.stats import percent as _percent

register = template.Library()


@register.filter
def percent(value):
    """0.667 → 66.7%; None (nothing to divide by) → —."""
    return _percent(value)
