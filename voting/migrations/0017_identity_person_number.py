"""Mark which verified identities carry a CPR number: online voting beside letter codes and
polling stations needs one. An identity verified without one has the broker's subject key."""

from django.db import migrations, models


def mark_identities_with_person_number(apps, schema_editor):
    from voting.keys import subject_person_key

    VerifiedIdentity = apps.get_model("voting", "VerifiedIdentity")
    with_cpr = [
        identity.pk
        for identity in VerifiedIdentity.objects.only("pk", "provider", "subject", "person_key")
        if identity.person_key
        != subject_person_key(provider=identity.provider, subject=identity.subject)
    ]
    VerifiedIdentity.objects.filter(pk__in=with_cpr).update(has_person_number=True)


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0016_quick_vote_checked_in"),
    ]

    operations = [
        migrations.AddField(
            model_name="verifiedidentity",
            name="has_person_number",
            field=models.BooleanField(default=False, verbose_name="verified with a CPR number"),
        ),
        migrations.RunPython(mark_identities_with_person_number, migrations.RunPython.noop),
    ]
