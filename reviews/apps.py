from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = _("Screening and mentoring")

    def ready(self):
        from . import notification_kinds, personal_data  # import the models: only once the apps are loaded

        notification_kinds.register_kinds()
        personal_data.register_sections()

        from challenges.services import challenge_close_guard_register
        from ideas.hooks import idea_panel_register, idea_revised_hook_register, reason_templates_source_register
        from ideas.services import idea_ended_hook_register

        from .selectors import mentoring_panel_on_idea_page, reason_templates_active
        from .services.finalists import challenge_close_refusal_open_ideas
        from .services.mentoring import mentoring_close_unlocked, revision_request_answer_unlocked

        # The lower apps offer hooks; reviews, above both, fills them: an idea's ending closes its
        # mentoring, an author's edit past screening answers the open revision request, the idea's
        # page shows the mentoring card, the status forms offer the reason templates, and a
        # challenge closes only when every idea in it has an ending.
        idea_ended_hook_register(mentoring_close_unlocked)
        idea_revised_hook_register(revision_request_answer_unlocked)
        idea_panel_register(mentoring_panel_on_idea_page)
        reason_templates_source_register(reason_templates_active)
        challenge_close_guard_register(challenge_close_refusal_open_ideas)
