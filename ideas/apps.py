from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _fulltext_index_ensure(sender, using, **kwargs):
    """After every migrate: the SQLite search index and its triggers are there (ideas.fulltext)."""
    from .fulltext import sqlite_index_ensure

    sqlite_index_ensure(connections[using])


class IdeasConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ideas"
    verbose_name = _("Ideas")

    def ready(self):
        from challenges.selectors import challenge_participants_provider_register
        from reputation.services import idea_coauthors_provider_register
        from scoring.hooks import scores_recomputed_hook_register

        from . import (
            notification_kinds,  # imports the models: only once the apps are loaded
            personal_data,
            tasks,
        )
        from .selectors import challenge_participant_ids

        notification_kinds.register_kinds()
        scores_recomputed_hook_register(tasks.refresh_all_idea_ranks_after_scores)
        challenge_participants_provider_register(challenge_participant_ids)
        personal_data.register_sections()
        post_migrate.connect(_fulltext_index_ensure, sender=self, dispatch_uid="ideas_fulltext_index_ensure")
        # An idea's awards go to its accepted co-authors too, each once.
        idea_coauthors_provider_register(_accepted_coauthor_id_list)


def _accepted_coauthor_id_list(idea) -> list[int]:
    from .rules import accepted_coauthor_ids

    return sorted(accepted_coauthor_ids(idea))
