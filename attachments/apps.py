from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "attachments"
    verbose_name = _("Attachments")

    def ready(self):
        from ideas.hooks import form_part_register, idea_version_recorded_hook_register

        from . import personal_data, tasks  # noqa: F401 - tasks registers the Celery tasks
        from .forms import comment_files_part, idea_files_part
        from .services import attachments_of_version_keep_unlocked

        idea_version_recorded_hook_register(attachments_of_version_keep_unlocked)
        form_part_register("idea", idea_files_part)
        form_part_register("comment", comment_files_part)
        personal_data.register_sections()
