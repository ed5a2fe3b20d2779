"""Form widgets any app may use: choices rendered without a template per choice.

Django renders every <option> and every radio button through templates of its own (a radio is
three: input_option.html, input.html, attrs.html). A superuser's grid filter lists 544 grids and
the wizard's community step 93 communities: at that size the templates were most of the page's
CPU. These build the same markup in Python, every value escaped.

- `PlainSelect`: a single <select>, as Django's select.html renders it.
- `choice_input(bound_widget)`: the <input> of one radio or checkbox of a RadioSelect /
  CheckboxSelectMultiple (a BoundWidget), as Django's input_option.html renders it without its label.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class PlainSelect(forms.Select):
    """A single <select> rendered without a template per option; the markup is Django's select.html."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((option["value"], flatatt(option["attrs"]), option["label"]) for option in options),
            )
            groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, html) if group_name else html)
        options = mark_safe("".join(groups))  # noqa: S308 - each part came from format_html
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


def choice_input(choice):
    """The <input> of one choice of a radio or checkbox group (Django's input.html)."""
    data = choice.data
    value = data["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        data["type"],
        data["name"],
        format_html(' value="{}"', value) if value is not None else "",
        flatatt(data["attrs"]),
    )
