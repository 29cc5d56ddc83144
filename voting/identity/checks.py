"""`manage.py check --deploy` refuses a deployment with the local test identity provider on."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def dev_identity_provider_off(app_configs, **kwargs):
    if not getattr(settings, "DEV_IDENTITY_PROVIDER", False):
        return []
    return [
        Error(
            "DEV_IDENTITY_PROVIDER is on: anyone can verify as a made-up test person and vote.",
            hint="It is for `make run` only: turn it off (the development settings turn it on).",
            id="voting.E001",
        )
    ]
