"""Writes of verified identities: what eligibility keeps from a MitID (or other OIDC) login.

`identity_verify` is called by the identity broker after a verified login; `age_band` turns an
age into the band kept for statistics, for online voters and at polling stations.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.areas import committee_area_of
from committees.models import Address, Area, District
from voting import keys
from voting.age import age_on
from voting.models import AGE_BANDS, VerifiedIdentity


def band_of(age: int) -> str:
    label = AGE_BANDS[0][1]
    for low, band in AGE_BANDS:
        if age >= low:
            label = band
    return label


def age_band(*, birth_date: datetime.date, today: datetime.date | None = None) -> str:
    return band_of(age_on(birth_date, today or timezone.localdate()))


@transaction.atomic
def identity_verify(
    *,
    user,
    provider: str,
    subject: str,
    national_id: str,
    birth_date: datetime.date | None = None,
    age_min: int | None = None,
    age_max: int | None = None,
    area: Area | District | None,
    address: Address | None = None,
    area_choices: tuple[Area, ...] = (),
) -> VerifiedIdentity:
    """Keep what eligibility needs from a verified login: never the national id or birth date.

    The age is given by a birth date, or as whole years (`age_min` = `age_max`), or as a range
    (an "over 18" claim: `age_min=18, age_max=None`). It is kept as the age on today's date.
    `area` is the committee area; `area_choices` the areas of a shared postcode to choose from.
    """
    today = timezone.localdate()
    if birth_date is not None:
        age_min = age_max = age_on(birth_date, today)
    if age_min is None:
        raise ValueError("identity_verify needs a birth date or an age")
    home = committee_area_of(area)
    identity, _created = VerifiedIdentity.objects.update_or_create(
        user=user,
        defaults={
            "provider": provider,
            "subject": subject,
            "person_key": (
                keys.person_key(national_id=national_id)
                if national_id
                else keys.subject_person_key(provider=provider, subject=subject)
            ),
            "has_person_number": bool(national_id),
            "home_area": home,
            "area": _district_of(home, area_choices, area),
            "address": address,
            "age_band": band_of(age_min),
            "age_min": age_min,
            "age_max": age_max,
            "age_known_on": today,
            "verified_at": timezone.now(),
        },
    )
    identity.area_choices.set([] if home is not None else area_choices)
    return identity


def _district_of(home: Area | None, choices, given) -> District | None:
    if home is not None:
        return home.committee.district
    if isinstance(given, District):
        return given
    districts = {choice.committee.district for choice in choices}
    return districts.pop() if len(districts) == 1 else None


@transaction.atomic
def identity_area_choose(*, user, area: Area) -> VerifiedIdentity:
    """The resident says which of their shared postcode's areas they live in."""
    identity = VerifiedIdentity.objects.select_for_update().filter(user=user).first()
    if identity is None:
        raise PermissionDenied(_("Verify your identity first."))
    if identity.home_area_id is not None:
        raise ValidationError(_("Your area is already known."), code="known")
    if not identity.area_choices.filter(pk=area.pk).exists():
        raise ValidationError(
            _("Choose one of the areas your postcode lies in."), code="not_a_choice"
        )
    identity.home_area = area
    identity.area = area.committee.district
    identity.save(update_fields=["home_area", "area"])
    identity.area_choices.clear()
    return identity
