from django import template
from django.utils.formats import get_format
from django.utils.translation import gettext as _

register = template.Library()


def _one_decimal(value: float) -> str:
    """Rounded to one decimal as before (12.96 → 13.0), with the active language's decimal separator."""
    return f"{value:.1f}".replace(".", get_format("DECIMAL_SEPARATOR"))


@register.filter
def percent(share) -> str:
    """0.256 → "25.6%" (in the active language: "25,6 %"); None (no denominator) → "–"."""
    if share is None:
        return "–"
    return _("%(percent)s%%") % {"percent": _one_decimal(share * 100)}


@register.filter
def days(duration) -> str:
    """A timedelta as days with one decimal, in the active language; None → "–"."""
    if duration is None:
        return "–"
    return _("%(days)s days") % {"days": _one_decimal(duration.total_seconds() / 86400)}
