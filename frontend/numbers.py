"""Percentages, written one way per language everywhere, charts and tables alike.

Danish puts a decimal comma and a space before the sign ("12,5 %", as Retskrivningsordbogen
writes it); English a decimal point and no space ("12.5%").
"""

from django.utils.formats import number_format
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _


def format_percent(value: float | int | None, *, decimals: int = 1, language: str | None = None):
    """12.5 -> '12,5 %' in Danish, '12.5%' in English; whole numbers without decimals."""
    if value is None:
        return ""
    language = language or get_language() or "da"
    places = 0 if float(value).is_integer() else decimals
    with override(language):
        number = number_format(round(float(value), places), decimal_pos=places, use_l10n=True)
        # Translators: %(number)s is a number already written the language's way. Danish puts a
        # space before the percent sign ("12,5 %"), English none ("12.5%").
        return _("%(number)s%%") % {"number": number}
