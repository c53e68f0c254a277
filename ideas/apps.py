from django.apps import AppConfig


class IdeasConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ideas"

    def ready(self):
        from challenges.selectors import challenge_participants_provider_register
        from ideaportal import pagecache

        from . import notification_kinds  # imports the models: only once the apps are loaded
        from .selectors import challenge_participant_ids

        pagecache.install()
        notification_kinds.register_kinds()
        challenge_participants_provider_register(challenge_participant_ids)
