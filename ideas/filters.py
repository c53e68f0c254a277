import django_filters
from django.db.models import Q

from challenges.models import Challenge, Outcome

from .models import Status


class IdeaFilter(django_filters.FilterSet):
    """The idea list's filters. The challenge choices are limited to what the member may see."""

    q = django_filters.CharFilter(method="filter_text", label="Search")
    challenge = django_filters.ModelChoiceFilter(
        queryset=Challenge.objects.none(), to_field_name="slug", empty_label="All challenges"
    )
    status = django_filters.ChoiceFilter(
        choices=[choice for choice in Status.choices if choice[0] != Status.DRAFT], empty_label="Any status"
    )
    outcome = django_filters.ModelChoiceFilter(
        field_name="outcomes", queryset=Outcome.objects.none(), to_field_name="code", empty_label="Any outcome"
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=[("newest", "Newest"), ("top", "Most supported")],
        empty_label=None,
        label="Sort by",
    )

    def __init__(self, data=None, *args, challenges=None, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("sort", "newest")
        super().__init__(data, *args, **kwargs)
        if challenges is not None:
            self.filters["challenge"].queryset = challenges
            self.filters["outcome"].queryset = Outcome.objects.filter(challenges__in=challenges).distinct()

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(problem__icontains=value))

    def sort_by(self, queryset, name, value):
        return queryset.by_support() if value == "top" else queryset.by_newest()
