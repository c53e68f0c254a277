"""The metrics charts as drawing data: figures in, SVG coordinates out.

Pure geometry, no queries and no markup: ``metrics/funnel_chart.svg`` and
``metrics/answer_weeks_chart.svg`` draw what these functions return. Each chart has a data table
beside it on the page, so the SVG's title and description summarise rather than repeat it.
"""

import math
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WIDTH = 560
LABEL_WIDTH = 120  # the funnel's stage names, left of the bars
BAR_AREA = 360
ROW_HEIGHT = 30
BAR_HEIGHT = 20
TOP = 10

PLOT_LEFT = 48
PLOT_TOP = 14
PLOT_HEIGHT = 200
PLOT_WIDTH = WIDTH - PLOT_LEFT - 12
WEEKS_HEIGHT = PLOT_TOP + PLOT_HEIGHT + 44


@dataclass(frozen=True)
class FunnelBar:
    status: str
    label: str
    count: int
    y: float
    width: float
    label_y: float
    count_x: float


@dataclass(frozen=True)
class FunnelDrawing:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[FunnelBar]
    title: str
    description: str


def funnel_draw(funnel: list, *, scope: str) -> FunnelDrawing:
    """Horizontal bars, one per stage, as long as the count (the longest is the submitted ideas)."""
    largest = max((count for _, _, count, _ in funnel), default=0) or 1
    bars = []
    for index, (status, label, count, _share) in enumerate(funnel):
        y = TOP + index * ROW_HEIGHT
        width = round(BAR_AREA * count / largest, 2)
        bars.append(
            FunnelBar(status, label, count, y, width, label_y=y + BAR_HEIGHT * 0.7, count_x=LABEL_WIDTH + width + 6)
        )
    summary = ", ".join(f"{label} {count}" for _, label, count, _ in funnel)
    return FunnelDrawing(
        width=WIDTH,
        height=TOP * 2 + len(funnel) * ROW_HEIGHT,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        bars=bars,
        title=_("Idea funnel (%(scope)s)") % {"scope": scope},
        description=_("How many ideas reached each stage: %(summary)s.") % {"summary": summary},
    )


@dataclass(frozen=True)
class WeekBar:
    week: object
    median_days: float | None
    answered: int
    x: float
    y: float
    width: float
    height: float
    label_x: float
    show_label: bool
    tooltip: str = ""  # "Week of 5 Jan 2026: median 3.5 days (4 answered)", in the active language


@dataclass(frozen=True)
class Tick:
    value: float
    y: float


@dataclass(frozen=True)
class WeeksDrawing:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: list[WeekBar]
    ticks: list[Tick]
    title: str
    description: str
    # The answer promise as a horizontal line at that many days (None: no line).
    promise_days: int | None = None
    promise_y: float | None = None
    promise_label: str = ""
    axis_title: str = ""


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^n at or above value (the y axis maximum)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)  # pragma: no cover


def _one_decimal(value: float) -> str:
    return f"{value:.1f}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def _week_tooltip(week, median_days: float | None, answered: int) -> str:
    when = formats.date_format(week, "j M Y")
    if median_days is None:
        return _("Week of %(week)s: no answer yet") % {"week": when}
    return ngettext(
        "Week of %(week)s: median %(days)s days (%(answered)d answered)",
        "Week of %(week)s: median %(days)s days (%(answered)d answered)",
        answered,
    ) % {"week": when, "days": _one_decimal(median_days), "answered": answered}


def answer_weeks_draw(weeks: list, *, scope: str, promise_days: int | None = None) -> WeeksDrawing:
    """Vertical bars of the median days to a first answer, one per week of submission (every week, an
    empty one at 0), and the answer promise as a line across them: a bar above it broke the promise."""
    top = _nice_ceiling(max([*(w.median_days or 0 for w in weeks), promise_days or 0]))
    plot_bottom = PLOT_TOP + PLOT_HEIGHT
    slot = PLOT_WIDTH / max(len(weeks), 1)
    label_every = max(1, math.ceil(len(weeks) / 6))
    bars = []
    for index, week in enumerate(weeks):
        days = week.median_days
        height = round(PLOT_HEIGHT * (days or 0) / top, 2)
        x = round(PLOT_LEFT + index * slot + slot * 0.15, 2)
        bars.append(
            WeekBar(
                week=week.week,
                median_days=None if days is None else round(days, 1),
                answered=week.answered,
                x=x,
                y=round(plot_bottom - height, 2),
                width=round(slot * 0.7, 2),
                height=height,
                label_x=round(x + slot * 0.35, 2),
                show_label=index % label_every == 0,
                tooltip=_week_tooltip(week.week, None if days is None else round(days, 1), week.answered),
            )
        )
    ticks = [Tick(value=round(top * i / 4, 1), y=round(plot_bottom - PLOT_HEIGHT * i / 4, 2)) for i in range(5)]
    answered = [w for w in weeks if w.median_days is not None]
    if answered:
        latest = answered[-1]
        description = ngettext(
            "Median days from submission to a first answer, for %(weeks)d week of submissions; "
            "the latest week with answers (%(week)s) took %(days)s days.",
            "Median days from submission to a first answer, for %(weeks)d weeks of submissions; "
            "the latest week with answers (%(week)s) took %(days)s days.",
            len(weeks),
        ) % {
            "weeks": len(weeks),
            "week": formats.date_format(latest.week, "d M Y"),
            "days": _one_decimal(latest.median_days),
        }
    else:
        description = _("No idea has had a first answer yet.")
    promise_y = None
    if promise_days:
        promise_y = round(plot_bottom - PLOT_HEIGHT * promise_days / top, 2)
        late = sum(1 for w in answered if w.median_days > promise_days)
        description += " " + ngettext(
            "The line marks the promise of %(days)d days; %(late)d of %(answered)d week with answers took longer.",
            "The line marks the promise of %(days)d days; %(late)d of %(answered)d weeks with answers took longer.",
            len(answered),
        ) % {"days": promise_days, "late": late, "answered": len(answered)}
    return WeeksDrawing(
        width=WIDTH,
        height=WEEKS_HEIGHT,
        plot_left=PLOT_LEFT,
        plot_right=PLOT_LEFT + PLOT_WIDTH,
        plot_top=PLOT_TOP,
        plot_bottom=plot_bottom,
        bars=bars,
        ticks=ticks,
        title=_("Median time to first answer per week (%(scope)s)") % {"scope": scope},
        description=description,
        promise_days=promise_days,
        promise_y=promise_y,
        promise_label=_("promise: %(days)d days") % {"days": promise_days} if promise_days else "",
        axis_title=(
            _("Week of submission · bars: median days to a first answer · line: the promise")
            if promise_y is not None
            else _("Week of submission · bars: median days to a first answer")
        ),
    )
