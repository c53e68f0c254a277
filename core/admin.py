"""Pieces the apps' admin classes share."""

from django.contrib.admin import helpers
from django.template.response import TemplateResponse


class ReadOnlyAdminMixin:
    """Staff read these records; only the services write them. Fits a ModelAdmin and an inline."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LabelledListEditableMixin:
    """A changelist's editable cells (``list_editable``) are inputs in a table cell with no <label>:
    each gets an ``aria-label`` naming its column and its row ("Availability: PLAN-01 …"), so a screen
    reader says what it edits (axe-core: label, label-title-only). The changelist shows no help text,
    so the field loses it too: otherwise Django's ``aria-describedby`` names a help that is not there."""

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)
        editable = set(self.list_editable)

        class LabelledChangelistForm(base):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, **form_kwargs)
                row = str(self.instance)
                for name in editable & set(self.fields):
                    self.fields[name].widget.attrs["aria-label"] = f"{self.fields[name].label}: {row}"
                    self.fields[name].help_text = ""

        return LabelledChangelistForm


def admin_page(modeladmin, request, template: str, *, title: str, status: int = 200, **context) -> TemplateResponse:
    """An admin page of the portal's own (an action's confirmation form, an import, a scorecard) in
    the admin's frame: the site's context, the title, the model's ``opts`` for the breadcrumbs, the
    action checkbox name a selected-rows form posts back, and the admin site as the current app.
    ``context`` adds the page's own values (a form's ``media`` included, when it has one)."""
    page = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        **context,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, template, page, status=status)
