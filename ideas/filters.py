import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge, Outcome
from core.funnel import PUBLISHED_STATUSES, Status
from core.widgets import FastSelect

from . import selectors


class IdeaFilter(django_filters.FilterSet):
    """The idea list's filters and sort.

    The queryset it filters must already hold only what the member may see
    (``selectors.idea_list_for``): every filter narrows it, none widens it. The challenge and
    outcome choices are limited to the challenges the member may see; "mine" and "followed" exist
    only for members signed in (pass ``request``). With ``lenient=True`` (the list page) a value no
    filter takes is left out and named in ``left_out``; without it (the API) the filter is invalid.
    """

    SORTS = [
        ("newest", _("Newest")),
        ("top", _("Top rated")),
        ("trending", _("Trending")),
        ("opportunity", _("Opportunity")),
    ]

    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words")}),
    )
    challenge = django_filters.ModelChoiceFilter(
        queryset=Challenge.objects.none(),
        to_field_name="slug",
        empty_label=_("All challenges"),
        label=_("Challenge"),
        widget=FastSelect,
    )
    status = django_filters.ChoiceFilter(
        choices=[choice for choice in Status.choices if choice[0] in PUBLISHED_STATUSES],
        empty_label=_("Any status"),
        label=_("Status"),
        widget=FastSelect,
    )
    outcome = django_filters.ModelChoiceFilter(
        field_name="outcomes",
        queryset=Outcome.objects.none(),
        to_field_name="code",
        empty_label=_("Any outcome"),
        label=_("Outcome"),
        widget=FastSelect,
    )
    phase = django_filters.ChoiceFilter(
        field_name="challenge__phase",
        choices=[choice for choice in Challenge.Phase.choices if choice[0] != Challenge.Phase.DRAFT],
        empty_label=_("Any phase"),
        label=_("Challenge phase"),
        widget=FastSelect,
    )
    mine = django_filters.BooleanFilter(method="filter_mine", widget=forms.CheckboxInput, label=_("My ideas"))
    followed = django_filters.BooleanFilter(
        method="filter_followed", widget=forms.CheckboxInput, label=_("Ideas I follow")
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by", choices=SORTS, empty_label=None, label=_("Sort by"), widget=FastSelect
    )

    # What the list page says when it leaves a value out (lenient=True). It never repeats the value:
    # a challenge hidden from the visitor reads exactly like one that does not exist.
    LEFT_OUT = {
        "q": _("The search could not be read, so it was left out."),
        "challenge": _("We could not find that challenge, so ideas of every challenge are shown."),
        "status": _("That is not a status an idea on this list can have, so ideas of any status are shown."),
        "outcome": _("We could not find that outcome, so ideas for any outcome are shown."),
        "phase": _("That is not a challenge phase, so ideas in any phase are shown."),
        "sort": _("The list cannot be sorted that way, so the newest ideas come first."),
    }

    def __init__(self, data=None, *args, challenges=None, lenient: bool = False, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("sort", selectors.IDEA_SORT_DEFAULT)
        super().__init__(data, *args, **kwargs)
        if challenges is not None:
            self.filters["challenge"].queryset = challenges
            self.filters["outcome"].queryset = Outcome.objects.filter(challenges__in=challenges).distinct()
        if not self.user.is_authenticated:
            del self.filters["mine"]
            del self.filters["followed"]
        self.left_out: list[str] = []
        if lenient:
            self._leave_out_invalid_values()

    def _leave_out_invalid_values(self) -> None:
        """The list page's way with a value no filter takes (a status that does not exist, a challenge
        that is gone or hidden, a sort we do not have): drop it, say so politely, filter by the rest.

        The API stays strict (an error that names the field): a program should learn its mistake.
        """
        if not self.is_bound or self.form.is_valid():
            return
        for name in self.form.errors:
            if name in self.data:
                self.data.pop(name)
                label = self.form.fields[name].label if name in self.form.fields else name
                self.left_out.append(
                    str(self.LEFT_OUT.get(name) or _("The value of “%(label)s” was left out.") % {"label": label})
                )
        self.data.setdefault("sort", selectors.IDEA_SORT_DEFAULT)
        del self._form  # built again from what is left

    @property
    def user(self):
        return getattr(self.request, "user", None) or AnonymousUser()

    @property
    def qs(self):
        """Invalid filters (strict mode) show no ideas (with the form's errors), never more than asked for."""
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs

    @property
    def sort_chosen(self) -> str:
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("sort") or selectors.IDEA_SORT_DEFAULT
        return selectors.IDEA_SORT_DEFAULT

    @property
    def chosen_challenge(self) -> Challenge | None:
        """The challenge the list is narrowed to, if any (already loaded by the form's validation)."""
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("challenge")
        return None

    def filter_text(self, queryset, name, value):
        return selectors.idea_list_search(queryset, value)

    def filter_mine(self, queryset, name, value):
        # The member's own ideas and the ones they co-author.
        return (
            queryset.filter(Q(author_id=self.user.pk) | selectors.coauthored_ideas_q(self.user)) if value else queryset
        )

    def filter_followed(self, queryset, name, value):
        return queryset.filter(selectors.ideas_followed_by_q(self.user)) if value else queryset

    def sort_by(self, queryset, name, value):
        return selectors.idea_list_sorted(queryset, value)
