from voting.models import RoundFollow, VerifiedIdentity


def export(user) -> dict:
    identity = VerifiedIdentity.objects.filter(user=user).select_related("area").first()
    return {
        "verified_identity": None
        if identity is None
        else {
            "provider": identity.provider,
            "area": identity.area.name if identity.area else None,
            "age_band": identity.age_band,
            "verified_at": identity.verified_at.isoformat(),
        },
        "followed_rounds": list(
            RoundFollow.objects.filter(user=user).values_list("budget_round__title", flat=True)
        ),
        "ballots": "Ballots are secret: nothing links them to you, so they cannot be exported.",
    }


def erase(user) -> None:
    # Participation and ballots carry no user; the identity goes with the account.
    VerifiedIdentity.objects.filter(user=user).delete()
    RoundFollow.objects.filter(user=user).delete()
