"""What higher apps plug into ideas, so that ideas imports none of them.

Ideas sits below reviews (screening, mentoring): reviews imports ideas' public services, never the
other way round. Where an idea's page or service must let reviews take part, it offers a registry
here, filled from the higher app's ``AppConfig.ready()`` (as Django's admin registers models and
pretix registers notification types). With nothing registered each hook does nothing, so ideas
works on its own. The idea's ending hook (``idea_ended_hook_register``) lives beside the funnel's
service in ``ideas.services.funnel``; whether the author may edit past screening is data ideas owns
(``Idea.revision_requested_at``, kept by reviews' services).
"""

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from django.http import HttpRequest

from .models import Idea, IdeaVersion


class ReasonTemplate(Protocol):
    """What a reason template offers the status forms (reviews.models.ReasonTemplate has it)."""

    pk: Any
    title: str
    text: str

    @property
    def statuses(self) -> frozenset[str]: ...

    def get_to_status_display(self) -> str: ...


# --- the author's edit past screening (a revision answered) -----------------------------------

IdeaRevisedHook = Callable[..., object]
_IDEA_REVISED_HOOKS: list[IdeaRevisedHook] = []


def idea_revised_hook_register(hook: IdeaRevisedHook) -> None:
    """Call ``hook(idea=idea, version=version)`` when the author saves a new version of an idea past
    screening (only an open revision request allows it), under the idea's row lock."""
    if hook not in _IDEA_REVISED_HOOKS:
        _IDEA_REVISED_HOOKS.append(hook)


def idea_revised_unlocked(*, idea: Idea, version: IdeaVersion) -> None:
    """Run the revised hooks; the caller (``idea_update``) holds the idea's row lock."""
    for hook in _IDEA_REVISED_HOOKS:
        hook(idea=idea, version=version)


# --- panels on the idea's page -----------------------------------------------------------------

# A provider returns what its panel shows the request's user, or None to show nothing: a dict with
# the ``template`` to include and the context that template reads as ``panel``.
IdeaPanelProvider = Callable[[HttpRequest, Idea], dict | None]
_IDEA_PANEL_PROVIDERS: list[IdeaPanelProvider] = []


def idea_panel_register(provider: IdeaPanelProvider) -> None:
    """Add a panel to the idea's page (reviews: the mentoring card)."""
    if provider not in _IDEA_PANEL_PROVIDERS:
        _IDEA_PANEL_PROVIDERS.append(provider)


def idea_panels_for(request: HttpRequest, idea: Idea) -> list[dict]:
    """The panels the request's user sees on the idea's page, in the order they were registered."""
    panels = (provider(request, idea) for provider in _IDEA_PANEL_PROVIDERS)
    return [panel for panel in panels if panel is not None]


# --- reason templates for the status forms -----------------------------------------------------

ReasonTemplatesSource = Callable[[], Iterable[ReasonTemplate]]
_REASON_TEMPLATE_SOURCES: list[ReasonTemplatesSource] = []


def reason_templates_source_register(source: ReasonTemplatesSource) -> None:
    """Offer reusable reasons to the status change forms (reviews: its active reason templates)."""
    if source not in _REASON_TEMPLATE_SOURCES:
        _REASON_TEMPLATE_SOURCES.append(source)


def reason_templates_for(statuses: Iterable[str]) -> list[ReasonTemplate]:
    """The reason templates written for any of ``statuses`` (none unless a source is registered)."""
    wanted = set(statuses)
    return [template for source in _REASON_TEMPLATE_SOURCES for template in source() if template.statuses & wanted]


# --- a version recorded (attachments: the files it had) -----------------------------------------

IdeaVersionRecordedHook = Callable[..., object]
_IDEA_VERSION_RECORDED_HOOKS: list[IdeaVersionRecordedHook] = []


def idea_version_recorded_hook_register(hook: IdeaVersionRecordedHook) -> None:
    """Call ``hook(idea=idea, version=version)`` each time a version of an idea is recorded, under the
    idea's row lock (attachments: the new version keeps the files the idea has now)."""
    if hook not in _IDEA_VERSION_RECORDED_HOOKS:
        _IDEA_VERSION_RECORDED_HOOKS.append(hook)


def idea_version_recorded_unlocked(*, idea: Idea, version: IdeaVersion) -> None:
    """Run the version-recorded hooks; the caller holds the idea's row lock (or has just created it)."""
    for hook in _IDEA_VERSION_RECORDED_HOOKS:
        hook(idea=idea, version=version)


# --- parts of the idea and comment forms (attachments: the files field) -------------------------


class FormPart(Protocol):
    """A part a higher app adds to the idea form or the comment form: its own fields, its own
    template, checked with the form and saved in the same transaction as the idea or comment."""

    template: str

    @property
    def errors(self) -> Any: ...

    def is_valid(self) -> bool: ...

    def save(self, *, idea: Idea, comment: Any = None) -> None: ...


# A provider returns the part for this request (bound to its POST and FILES), or None: kind is
# "idea" (the new-idea and edit forms; ``idea`` is None on the new-idea form) or "comment".
FormPartProvider = Callable[..., FormPart | None]
_FORM_PART_PROVIDERS: dict[str, list[FormPartProvider]] = {"idea": [], "comment": []}


def form_part_register(kind: str, provider: FormPartProvider) -> None:
    """Add a part to the idea form (``kind="idea"``) or the comment form (``kind="comment"``):
    ``provider(request, idea=idea)`` returns the part or None."""
    providers = _FORM_PART_PROVIDERS[kind]
    if provider not in providers:
        providers.append(provider)


def form_parts_for(kind: str, request: HttpRequest, *, idea: Idea | None) -> list[FormPart]:
    """The parts of the ``kind`` form for this request, in the order they were registered."""
    parts = (provider(request, idea=idea) for provider in _FORM_PART_PROVIDERS[kind])
    return [part for part in parts if part is not None]


def form_parts_valid(parts: Iterable[FormPart]) -> bool:
    """Every part checked (each shows its own errors), not only up to the first that fails."""
    results = [part.is_valid() for part in parts]
    return all(results)
