from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "Screening and mentoring"

    def ready(self):
        from . import notification_kinds, personal_data  # import the models: only once the apps are loaded

        notification_kinds.register_kinds()
        personal_data.register_sections()

        from challenges.services import challenge_close_guard_register
        from ideas.services import idea_ended_hook_register

        from .services.finalists import challenge_close_refusal_open_ideas
        from .services.mentoring import mentoring_close_unlocked

        # The lower apps offer hooks; reviews, above both, fills them: an idea's ending closes its
        # mentoring, and a challenge closes only when every idea in it has an ending.
        idea_ended_hook_register(mentoring_close_unlocked)
        challenge_close_guard_register(challenge_close_refusal_open_ideas)
