"""Filters for templates/forms/field.html."""

from django import template

from portal.widgets import choice_input as render_choice_input

register = template.Library()


@register.filter
def choice_input(choice):
    """The <input> of one radio or checkbox (a BoundWidget), without a template of its own."""
    return render_choice_input(choice)
