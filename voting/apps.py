from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingAppConfig(AppConfig):
    name = "voting"
    label = "voting"
    verbose_name = _("Voting")

    def ready(self):
        # Imported here: models cannot be imported while apps.py itself is being loaded.
        from django.db.models.signals import post_save

        from committees.models import BudgetRound, Meeting
        from voting import services
        from voting.identity import checks  # noqa: F401  (registers the deploy check)
        from voting.live import broadcast

        for model in (BudgetRound, Meeting):
            post_save.connect(
                broadcast.model_saved, sender=model, dispatch_uid=f"live-{model._meta.label}"
            )
        post_save.connect(
            services.voting_config_for_new_round, sender=BudgetRound, dispatch_uid="voting-config"
        )
