"""Writes of verified identities: what eligibility keeps from a MitID (or other OIDC) login.

`identity_verify` is called by the identity broker after a verified login; `age_band` turns a
birth date into the band that is stored instead of it, for online voters and at polling stations.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from committees.models import District
from voting import keys
from voting.models import AGE_BANDS, VerifiedIdentity


def age_band(*, birth_date: datetime.date, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    age = (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )
    label = AGE_BANDS[0][1]
    for low, band in AGE_BANDS:
        if age >= low:
            label = band
    return label


@transaction.atomic
def identity_verify(
    *,
    user,
    provider: str,
    subject: str,
    national_id: str,
    birth_date: datetime.date,
    area: District | None,
) -> VerifiedIdentity:
    """Keep what eligibility needs from a verified login: never the national id or birth date."""
    identity, _created = VerifiedIdentity.objects.update_or_create(
        user=user,
        defaults={
            "provider": provider,
            "subject": subject,
            "person_key": keys.person_key(national_id=national_id),
            "area": area,
            "age_band": age_band(birth_date=birth_date),
            "verified_at": timezone.now(),
        },
    )
    return identity
