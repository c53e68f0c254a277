"""The opportunity landscape as drawing data: scores in, SVG coordinates out.

Pure geometry, no queries and no markup: the template ``scoring/landscape_chart.svg`` draws what
``landscape_draw`` returns. Importance runs along x and satisfaction up y, both 0–10, y inverted
for SVG. The zones are those of ``formulas.classify``: below the diagonal (satisfaction ≤
importance) opportunity = 2 × importance − satisfaction, so the line of equal opportunity o is
satisfaction = 2 × importance − o; above the diagonal opportunity = importance.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import formulas

# The drawing, in SVG user units: a square plot with room for axes on the left and below, and
# for a two-row legend under the axis title.
WIDTH = 560
HEIGHT = 604
PLOT_LEFT = 56
PLOT_TOP = 14
PLOT_SIZE = 480
PLOT_RIGHT = PLOT_LEFT + PLOT_SIZE
PLOT_BOTTOM = PLOT_TOP + PLOT_SIZE
SCALE = 10.0  # importance and satisfaction run 0..SCALE

POINT_RADIUS = 5.5
# Crude estimates of text widths (11px; point labels are bold, codes are capitals and digits):
# enough to keep labels from sitting on each other and the legend inside the drawing.
CHAR_WIDTH = 7.5
LEGEND_CHAR_WIDTH = 6.2
LABEL_HEIGHT = 11
LABEL_PADDING = 2

ZONE_ORDER = [
    formulas.EXTREMELY_UNDERSERVED,
    formulas.UNDERSERVED,
    formulas.APPROPRIATELY_SERVED,
    formulas.OVERSERVED,
]


def x_of(importance: float) -> float:
    """The SVG x of an importance score."""
    return round(PLOT_LEFT + PLOT_SIZE * importance / SCALE, 2)


def y_of(satisfaction: float) -> float:
    """The SVG y of a satisfaction score (SVG's y grows downwards)."""
    return round(PLOT_BOTTOM - PLOT_SIZE * satisfaction / SCALE, 2)


def importance_at(x: float) -> float:
    """The importance score at SVG x (the inverse of ``x_of``)."""
    return (x - PLOT_LEFT) * SCALE / PLOT_SIZE


def satisfaction_at(y: float) -> float:
    """The satisfaction score at SVG y (the inverse of ``y_of``)."""
    return (PLOT_BOTTOM - y) * SCALE / PLOT_SIZE


def opportunity_line(opportunity: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """The segment of equal opportunity below the diagonal, as two (importance, satisfaction) ends.

    satisfaction = 2 × importance − opportunity, from satisfaction 0 to importance 10 (for the
    opportunities 10..20 that have such a segment inside the plot).
    """
    return (opportunity / 2, 0.0), (SCALE, 2 * SCALE - opportunity)


def _points(corners: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{x_of(i)},{y_of(s)}" for i, s in corners)


@dataclass(frozen=True)
class Zone:
    classification: str
    label: str
    points: str  # an SVG polygon's points attribute


@dataclass(frozen=True)
class Guide:
    """A line drawn on the plot (an opportunity threshold or the diagonal), with its label."""

    name: str
    label: str
    opportunity: float | None  # the threshold, for the opportunity lines
    x1: float
    y1: float
    x2: float
    y2: float
    label_x: float
    label_y: float
    label_angle: float  # degrees, SVG rotate() (negative: counter-clockwise)
    label_anchor: str


@dataclass(frozen=True)
class Tick:
    """A value on an axis: a grid line across the plot, a tick mark outside it and a label."""

    value: int
    grid_x1: float
    grid_y1: float
    grid_x2: float
    grid_y2: float
    mark_x1: float
    mark_y1: float
    mark_x2: float
    mark_y2: float
    label_x: float
    label_y: float


@dataclass(frozen=True)
class LegendItem:
    kind: str  # "zone-<classification>", "point", "low-sample" or "interval"
    label: str
    swatch_x: float  # the swatch's left edge
    swatch_y: float  # the swatch's top edge
    swatch_size: int
    swatch_right: float
    swatch_cx: float  # the swatch's centre (for the point and interval swatches)
    swatch_cy: float
    text_x: float
    text_y: float  # the text's baseline


@dataclass(frozen=True)
class Point:
    """One outcome on the plot. ``score`` is the object it was drawn from (for the template)."""

    score: object
    code: str
    statement: str
    importance: float
    satisfaction: float
    opportunity: float
    classification: str
    class_label: str
    respondents: int
    low_sample: bool
    cx: float
    cy: float
    radius: float
    # The 95% intervals as whiskers: importance horizontally, satisfaction vertically.
    interval_x1: float
    interval_x2: float
    interval_y1: float
    interval_y2: float
    label_x: float
    label_y: float
    label_anchor: str  # "start", "middle" or "end"
    tooltip: str


@dataclass(frozen=True)
class Arrow:
    """An outcome's movement from an earlier wave (the tail) to the wave drawn (the head, at its point)."""

    code: str
    x1: float
    y1: float
    x2: float
    y2: float
    tail_x: float  # the earlier position, drawn as a small ring
    tail_y: float
    opportunity_before: float
    opportunity_after: float
    tooltip: str


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_right: int
    plot_bottom: int
    title: str
    description: str
    zones: list[Zone]
    guides: list[Guide]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    x_title: tuple[float, float]
    y_title: tuple[float, float]
    points: list[Point]
    legend: list[LegendItem]
    # With a wave compared: each outcome scored in both, from where it was to where it is.
    arrows: list[Arrow] = field(default_factory=list)
    compared_label: str = ""
    x_label: str = ""  # the axes' titles, in the active language
    y_label: str = ""


def zones() -> list[Zone]:
    """The four zones as polygons that tile the plot."""
    (o10_start, o10_end), (o15_start, o15_end) = opportunity_line(10), opportunity_line(15)
    corners = {
        formulas.EXTREMELY_UNDERSERVED: [o15_start, (SCALE, 0.0), o15_end],
        formulas.UNDERSERVED: [o10_start, o15_start, o15_end, o10_end],
        formulas.APPROPRIATELY_SERVED: [(0.0, 0.0), o10_start, o10_end],
        formulas.OVERSERVED: [(0.0, 0.0), (SCALE, SCALE), (0.0, SCALE)],
    }
    return [Zone(c, str(formulas.CLASS_LABELS[c]), _points(corners[c])) for c in ZONE_ORDER]


def _guide(name: str, label: str, opportunity, start, end, label_at: float, anchor: str) -> Guide:
    """A line from start to end (score pairs), labelled along it at the fraction label_at."""
    x1, y1, x2, y2 = x_of(start[0]), y_of(start[1]), x_of(end[0]), y_of(end[1])
    angle = math.degrees(math.atan2(y2 - y1, x2 - x1))
    return Guide(
        name=name,
        label=label,
        opportunity=opportunity,
        x1=x1,
        y1=y1,
        x2=x2,
        y2=y2,
        label_x=round(x1 + (x2 - x1) * label_at, 2),
        label_y=round(y1 + (y2 - y1) * label_at, 2),
        label_angle=round(angle, 2),
        label_anchor=anchor,
    )


def guides() -> list[Guide]:
    # Labels sit where outcomes seldom do: low importance for the diagonal, and the top ends of the
    # opportunity lines (importance above 9.5 needs nearly everyone to rate an outcome 4 or 5).
    return [
        _guide("diagonal", _("Satisfaction = importance"), None, (0.0, 0.0), (SCALE, SCALE), 0.05, "start"),
        _guide("opportunity-10", _("Opportunity %(score)s") % {"score": 10}, 10.0, *opportunity_line(10), 0.93, "end"),
        _guide("opportunity-15", _("Opportunity %(score)s") % {"score": 15}, 15.0, *opportunity_line(15), 0.95, "end"),
    ]


TICK_LENGTH = 5


def _ticks() -> tuple[list[Tick], list[Tick]]:
    values = range(int(SCALE) + 1)
    x_ticks = [
        Tick(
            value=v,
            grid_x1=x_of(v),
            grid_y1=PLOT_TOP,
            grid_x2=x_of(v),
            grid_y2=PLOT_BOTTOM,
            mark_x1=x_of(v),
            mark_y1=PLOT_BOTTOM,
            mark_x2=x_of(v),
            mark_y2=PLOT_BOTTOM + TICK_LENGTH,
            label_x=x_of(v),
            label_y=PLOT_BOTTOM + 19,
        )
        for v in values
    ]
    y_ticks = [
        Tick(
            value=v,
            grid_x1=PLOT_LEFT,
            grid_y1=y_of(v),
            grid_x2=PLOT_RIGHT,
            grid_y2=y_of(v),
            mark_x1=PLOT_LEFT - TICK_LENGTH,
            mark_y1=y_of(v),
            mark_x2=PLOT_LEFT,
            mark_y2=y_of(v),
            label_x=PLOT_LEFT - 9,
            label_y=round(y_of(v) + 4, 2),
        )
        for v in values
    ]
    return x_ticks, y_ticks


# --- Labels ---------------------------------------------------------------------------------
# Each label tries a few places around its point and takes the first that overlaps no label
# placed before it, no other point and stays inside the plot; the most promising outcomes (by
# opportunity) choose first. Crude, and enough for the few dozen outcomes a job has.

# (dx, dy of the baseline, text-anchor) relative to the point's centre, in rows one label high:
# beside the point, then the rows above and below it, then the rows beyond those.
_LABEL_PLACES = [
    (8, 4, "start"),
    (-8, 4, "end"),
    (0, -9, "middle"),
    (0, 17, "middle"),
    (3, -9, "start"),
    (-3, -9, "end"),
    (3, 17, "start"),
    (-3, 17, "end"),
    (0, -22, "middle"),
    (0, 30, "middle"),
    (3, -22, "start"),
    (-3, -22, "end"),
    (3, 30, "start"),
    (-3, 30, "end"),
]

Box = tuple[float, float, float, float]  # left, top, right, bottom


def _label_box(x: float, y: float, anchor: str, text: str) -> Box:
    width = CHAR_WIDTH * len(text)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return left - LABEL_PADDING, y - LABEL_HEIGHT + 2, left + width + LABEL_PADDING, y + 2


def _overlap(a: Box, b: Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _outside(box: Box) -> float:
    """How much of the box sticks out of the plot (0 when it is inside)."""
    return (
        max(PLOT_LEFT - box[0], 0)
        + max(box[2] - PLOT_RIGHT, 0)
        + max(PLOT_TOP - box[1], 0)
        + max(box[3] - PLOT_BOTTOM, 0)
    ) * LABEL_HEIGHT


def _place_labels(centres: list[tuple[float, float]], texts: list[str], order: list[int]) -> dict[int, tuple]:
    point_boxes = [(x - POINT_RADIUS, y - POINT_RADIUS, x + POINT_RADIUS, y + POINT_RADIUS) for x, y in centres]
    placed: list[Box] = []
    result = {}
    for index in order:
        x, y = centres[index]
        best, best_cost = None, math.inf
        for dx, dy, anchor in _LABEL_PLACES:
            box = _label_box(x + dx, y + dy, anchor, texts[index])
            cost = _outside(box) + sum(_overlap(box, other) for other in placed)
            cost += sum(_overlap(box, other) for n, other in enumerate(point_boxes) if n != index)
            if cost < best_cost:
                best, best_cost = (round(x + dx, 2), round(y + dy, 2), anchor, box), cost
            if cost == 0:
                break
        result[index] = best[:3]
        placed.append(best[3])
    return result


# --- The drawing ----------------------------------------------------------------------------


def _number(value: float) -> str:
    """A score as people read it, in the active language (7.5, 7,5): for texts, never for geometry."""
    return f"{value:.1f}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def _opportunity(value: float) -> str:
    """An opportunity as shown everywhere (``formulas.opportunity_shown``), in the active language."""
    return formulas.opportunity_display(value)


def _tooltip(score, code: str, statement: str, min_respondents: int) -> str:
    values = {
        "code": code,
        "statement": statement,
        "importance": _number(score.importance),
        "importance_low": _number(score.importance_low),
        "importance_high": _number(score.importance_high),
        "satisfaction": _number(score.satisfaction),
        "satisfaction_low": _number(score.satisfaction_low),
        "satisfaction_high": _number(score.satisfaction_high),
        "opportunity": _opportunity(score.opportunity),
        "class": str(formulas.CLASS_LABELS[score.classification]).lower(),
        "respondents": score.respondents,
        "min": min_respondents,
    }
    if score.respondents < min_respondents:
        template = ngettext(
            "%(code)s: %(statement)s. Importance %(importance)s (%(importance_low)s–%(importance_high)s), "
            "satisfaction %(satisfaction)s (%(satisfaction_low)s–%(satisfaction_high)s), "
            "opportunity %(opportunity)s: %(class)s. %(respondents)d respondent, fewer than %(min)d: treat with care.",
            "%(code)s: %(statement)s. Importance %(importance)s (%(importance_low)s–%(importance_high)s), "
            "satisfaction %(satisfaction)s (%(satisfaction_low)s–%(satisfaction_high)s), "
            "opportunity %(opportunity)s: %(class)s. %(respondents)d respondents, fewer than %(min)d: treat with care.",
            score.respondents,
        )
    else:
        template = ngettext(
            "%(code)s: %(statement)s. Importance %(importance)s (%(importance_low)s–%(importance_high)s), "
            "satisfaction %(satisfaction)s (%(satisfaction_low)s–%(satisfaction_high)s), "
            "opportunity %(opportunity)s: %(class)s. %(respondents)d respondent.",
            "%(code)s: %(statement)s. Importance %(importance)s (%(importance_low)s–%(importance_high)s), "
            "satisfaction %(satisfaction)s (%(satisfaction_low)s–%(satisfaction_high)s), "
            "opportunity %(opportunity)s: %(class)s. %(respondents)d respondents.",
            score.respondents,
        )
    return template % values


def _legend(min_respondents: int) -> list[LegendItem]:
    rows = [
        [(f"zone-{c}", str(formulas.CLASS_LABELS[c])) for c in ZONE_ORDER],
        [
            ("point", _("%(count)d or more respondents") % {"count": min_respondents}),
            ("low-sample", _("Fewer than %(count)d respondents") % {"count": min_respondents}),
            # xgettext:no-python-format
            ("interval", _("95% interval")),
        ],
    ]
    swatch = 13
    items = []
    for row_number, row in enumerate(rows):
        y = PLOT_BOTTOM + 64 + 22 * row_number  # the text baseline
        x = 16.0
        for kind, label in row:
            top = y - swatch + 2
            items.append(
                LegendItem(
                    kind=kind,
                    label=label,
                    swatch_x=round(x, 2),
                    swatch_y=top,
                    swatch_size=swatch,
                    swatch_right=round(x + swatch, 2),
                    swatch_cx=round(x + swatch / 2, 2),
                    swatch_cy=top + swatch / 2,
                    text_x=round(x + swatch + 5, 2),
                    text_y=y,
                )
            )
            x += swatch + 5 + LEGEND_CHAR_WIDTH * len(label) + 14
    return items


def _description(points: list[Point], subject: str, min_respondents: int) -> str:
    if not points:
        return _("No outcome of %(subject)s has been scored yet, so the chart shows only the zones.") % {
            "subject": subject
        }
    underserved = [p for p in points if p.opportunity >= 10]
    parts = [
        ngettext(
            "Scatter chart of %(count)d outcome of %(subject)s: "
            "importance from 0 to 10 across, satisfaction from 0 to 10 up. Lines mark opportunity 10 "
            "(underserved beyond it), opportunity 15 (extremely underserved beyond it) and where "
            "satisfaction equals importance (overserved above it).",
            "Scatter chart of %(count)d outcomes of %(subject)s: "
            "importance from 0 to 10 across, satisfaction from 0 to 10 up. Lines mark opportunity 10 "
            "(underserved beyond it), opportunity 15 (extremely underserved beyond it) and where "
            "satisfaction equals importance (overserved above it).",
            len(points),
        )
        % {"count": len(points), "subject": subject}
    ]
    if underserved:
        listed = ", ".join(f"{p.code} ({_opportunity(p.opportunity)})" for p in underserved)
        parts.append(_("Underserved, by opportunity: %(outcomes)s.") % {"outcomes": listed})
    else:
        parts.append(_("No outcome is underserved."))
    few = [p.code for p in points if p.low_sample]
    if few:
        parts.append(
            _("Drawn hollow, fewer than %(count)d respondents: %(outcomes)s.")
            % {"count": min_respondents, "outcomes": ", ".join(few)}
        )
    parts.append(_("The table beside the chart lists the same data."))
    return " ".join(parts)


def _movement_description(arrows: list[Arrow], compared_label: str) -> str:
    if not arrows:
        return " " + _("No outcome moved since %(wave)s.") % {"wave": compared_label}
    moved = ", ".join(
        f"{a.code} {_opportunity(a.opportunity_before)} → {_opportunity(a.opportunity_after)}" for a in arrows
    )
    return " " + _("Arrows show how outcomes moved since %(wave)s (opportunity before → now): %(moved)s.") % {
        "wave": compared_label,
        "moved": moved,
    }


# The arrow's head stops this far short of the point's centre, so its tip touches the dot's edge.
ARROW_GAP = POINT_RADIUS + 1.5


def movement_arrows(before: Iterable, after: Iterable, *, compared_label: str) -> list[Arrow]:
    """One arrow per outcome scored in both waves (by outcome id), from its earlier position to its
    position now; an outcome that did not move (less than a unit on the drawing) gets none."""
    earlier = {score.outcome_id: score for score in before}
    arrows = []
    for score in after:
        then = earlier.get(score.outcome_id)
        if then is None:
            continue
        x1, y1 = x_of(then.importance), y_of(then.satisfaction)
        x2, y2 = x_of(score.importance), y_of(score.satisfaction)
        length = math.hypot(x2 - x1, y2 - y1)
        if length < 1:
            continue
        shorten = min(ARROW_GAP, length) / length
        code = score.outcome.code
        arrows.append(
            Arrow(
                code=code,
                x1=x1,
                y1=y1,
                x2=round(x2 - (x2 - x1) * shorten, 2),
                y2=round(y2 - (y2 - y1) * shorten, 2),
                tail_x=x1,
                tail_y=y1,
                opportunity_before=then.opportunity,
                opportunity_after=score.opportunity,
                tooltip=(
                    _(
                        "%(code)s since %(wave)s: importance %(importance_before)s → %(importance)s, "
                        "satisfaction %(satisfaction_before)s → %(satisfaction)s, "
                        "opportunity %(opportunity_before)s → %(opportunity)s."
                    )
                    % {
                        "code": code,
                        "wave": compared_label,
                        "importance_before": _number(then.importance),
                        "importance": _number(score.importance),
                        "satisfaction_before": _number(then.satisfaction),
                        "satisfaction": _number(score.satisfaction),
                        "opportunity_before": _opportunity(then.opportunity),
                        "opportunity": _opportunity(score.opportunity),
                    }
                ),
            )
        )
    return arrows


def landscape_draw(
    scores: Iterable, *, subject: str, min_respondents: int, compared: Iterable = (), compared_label: str = ""
) -> Drawing:
    """The drawing of these scores.

    ``scores`` are OutcomeScore rows (or anything with their fields and ``outcome.code`` /
    ``outcome.statement``); ``subject`` names what is drawn ("the job Plan a weekly shop,
    all respondents"), for the chart's title and description. ``compared`` are the same outcomes'
    scores in an earlier wave (``compared_label`` names it): each outcome's movement is drawn as an
    arrow to its point.
    """
    scores = list(scores)
    arrows = movement_arrows(compared, scores, compared_label=compared_label) if compared_label else []
    centres = [(x_of(s.importance), y_of(s.satisfaction)) for s in scores]
    codes = [s.outcome.code for s in scores]
    order = sorted(range(len(scores)), key=lambda n: (-scores[n].opportunity, codes[n]))
    labels = _place_labels(centres, codes, order)
    points = []
    for n in order:
        score = scores[n]
        label_x, label_y, anchor = labels[n]
        points.append(
            Point(
                score=score,
                code=codes[n],
                statement=score.outcome.statement,
                importance=score.importance,
                satisfaction=score.satisfaction,
                opportunity=score.opportunity,
                classification=score.classification,
                class_label=str(formulas.CLASS_LABELS[score.classification]),
                respondents=score.respondents,
                low_sample=score.respondents < min_respondents,
                cx=centres[n][0],
                cy=centres[n][1],
                radius=POINT_RADIUS,
                interval_x1=x_of(score.importance_low),
                interval_x2=x_of(score.importance_high),
                interval_y1=y_of(score.satisfaction_low),
                interval_y2=y_of(score.satisfaction_high),
                label_x=label_x,
                label_y=label_y,
                label_anchor=anchor,
                tooltip=_tooltip(score, codes[n], score.outcome.statement, min_respondents),
            )
        )
    x_ticks, y_ticks = _ticks()
    return Drawing(
        width=WIDTH,
        height=HEIGHT,
        plot_left=PLOT_LEFT,
        plot_top=PLOT_TOP,
        plot_right=PLOT_RIGHT,
        plot_bottom=PLOT_BOTTOM,
        title=_("Opportunity landscape of %(subject)s") % {"subject": subject},
        description=_description(points, subject, min_respondents)
        + (_movement_description(arrows, compared_label) if compared_label else ""),
        zones=zones(),
        guides=guides(),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        x_title=(PLOT_LEFT + PLOT_SIZE / 2, PLOT_BOTTOM + 40),
        y_title=(16, PLOT_TOP + PLOT_SIZE / 2),
        points=points,
        legend=_legend(min_respondents),
        arrows=arrows,
        compared_label=compared_label,
        x_label=_("Importance"),
        y_label=_("Satisfaction"),
    )
