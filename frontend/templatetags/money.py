from django import template

from frontend.money import format_kroner

register = template.Library()


@register.filter(name="kr")
def kr(value):
    """{{ proposal.cost|kr }} -> 1.234 kr."""
    if value in (None, ""):
        return ""
    return format_kroner(int(value))
