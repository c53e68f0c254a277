"""Form widgets that render faster than Django's template-per-option ones."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A ``<select>`` whose options are written in Python.

    The idea list's filters offer every visible challenge and outcome (about 150 options at 50
    challenges); Django's select renders an option template and an attributes template per option,
    11 ms of a 35 ms page (docs/PERFORMANCE.md). The markup is the same as Django's.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html(
                        '<option value="{}"{}>{}</option>', option["value"], flatatt(option["attrs"]), option["label"]
                    )
                )
            if group_name:
                parts.append(mark_safe("</optgroup>"))
        parts.append(mark_safe("</select>"))
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html above
