"""The metrics page's period: submitted from … to …, both days included."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Longer periods are what "all time" (no dates) is for; the weekly chart stays readable.
MAX_PERIOD_DAYS = 3 * 366


class MetricsPeriodForm(forms.Form):
    """Both dates optional; either alone is an open end. Bad input is a form error; the page then
    shows every idea, and says so."""

    date_from = forms.DateField(
        label=_("Submitted from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The first day (included). Empty: from the first idea."),
        error_messages={"invalid": _("Enter the first day as a date, such as 2026-01-31.")},
    )
    date_to = forms.DateField(
        label=pgettext_lazy("end of a date range", "to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day (included). Empty: up to today."),
        error_messages={"invalid": _("Enter the last day as a date, such as 2026-03-31.")},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The period starts on %(start)s, after it ends (%(end)s): swap the dates.")
                % {"start": date_format(start, "d M Y"), "end": date_format(end, "d M Y")}
            )
        if start and end and (end - start).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError(
                _("Choose a period of at most three years, or leave both dates empty for all time.")
            )
        if start and start.year < 2000:
            self.add_error("date_from", _("Choose a day from the year 2000 on."))
        if end and end.year > 2100:
            self.add_error("date_to", _("Choose a day before the year 2100."))
        return cleaned

    def period(self) -> tuple[datetime.datetime | None, datetime.datetime | None] | None:
        """(start, end) as aware datetimes in the site's time zone, end exclusive (the day after the
        last); None without dates or with errors."""
        if not self.is_valid():
            return None
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if start is None and end is None:
            return None
        zone = timezone.get_current_timezone()

        def midnight(day: datetime.date) -> datetime.datetime:
            return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)

        return (
            midnight(start) if start else None,
            midnight(end + datetime.timedelta(days=1)) if end else None,
        )
