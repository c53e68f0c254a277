from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "impact"
    verbose_name = _("Proof of impact")

    def ready(self):
        from . import notification_kinds  # imports the models: only once the apps are loaded

        notification_kinds.register_kinds()

        from ideas.hooks import idea_panel_register
        from scoring.hooks import wave_closed_hook_register, wave_opened_hook_register

        from .selectors import impact_panel_on_idea_page
        from .services import follow_up_invite_unlocked, follow_up_result_compute_unlocked

        # Scoring opens and closes waves, ideas draws the idea's page; impact, above both, fills their
        # hooks: a follow-up wave that opens invites its respondents, one that closes gets its result,
        # and the idea's page shows the follow-up's panel.
        wave_opened_hook_register(follow_up_invite_unlocked)
        wave_closed_hook_register(follow_up_result_compute_unlocked)
        idea_panel_register(impact_panel_on_idea_page)
