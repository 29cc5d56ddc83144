from django import template

from frontend.numbers import format_percent

register = template.Library()


@register.filter(name="percent")
def percent(value):
    """{{ turnout.share|percent }} -> 12,5 % (da), 12.5% (en); empty for None or ""."""
    if value in (None, ""):
        return ""
    return format_percent(value)
