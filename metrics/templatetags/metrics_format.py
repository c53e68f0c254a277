from django import template

register = template.Library()


@register.filter
def percent(share) -> str:
    """0.256 → "25.6%"; None (no denominator) → "–"."""
    return "–" if share is None else f"{share * 100:.1f}%"


@register.filter
def days(duration) -> str:
    """A timedelta as days with one decimal; None → "–"."""
    return "–" if duration is None else f"{duration.total_seconds() / 86400:.1f} days"
