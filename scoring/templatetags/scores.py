from django import template

from scoring.formulas import opportunity_display, opportunity_shown

register = template.Library()


@register.filter
def opportunity(value):
    """An opportunity score as shown everywhere: one decimal, rounded down (never over a threshold),
    with the active language's decimal separator (14.9, 14,9)."""
    return "" if value is None else opportunity_display(value)


@register.filter
def opportunity_raw(value):
    """The same score for machines (data attributes): always with a decimal point."""
    return "" if value is None else opportunity_shown(value)
