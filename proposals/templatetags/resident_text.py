"""`{{ proposal.description|resident_html }}`: a resident's formatted text, cleaned again on its
way out. What is stored was cleaned when it was saved; cleaning it once more (idempotent, and
fast) means that a row written before the cleaner was fixed, or by a path that skipped it, still
cannot put markup on a page. Never write `|safe` on a resident's text."""

from django import template
from django.utils.safestring import mark_safe

from proposals.richtext import sanitise_html

register = template.Library()


@register.filter
def resident_html(value: str) -> str:
    return mark_safe(sanitise_html(value or ""))  # sanitised just now
