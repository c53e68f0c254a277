from django import template

from scoring.formulas import opportunity_shown

register = template.Library()


@register.filter
def opportunity(value):
    """An opportunity score as shown everywhere: one decimal, rounded down (never over a threshold)."""
    return "" if value is None else opportunity_shown(value)
