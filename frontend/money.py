"""Money is whole kroner (int), shown the way each language writes it."""

from django.utils.formats import number_format
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _


def format_kroner(amount: int | None, language: str | None = None) -> str:
    """1234 -> '1.234 kr.' in Danish, 'DKK 1,234' in English."""
    if amount is None:
        return ""
    language = language or get_language() or "da"
    with override(language):
        number = number_format(int(amount), decimal_pos=0, use_l10n=True, force_grouping=True)
        # Translators: %(amount)s is a whole number of Danish kroner, already grouped.
        return _("%(amount)s kr.") % {"amount": number}
