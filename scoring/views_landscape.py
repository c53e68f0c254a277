"""The opportunity landscape: staff pages that draw the stored scores (they never aggregate ratings)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from challenges.models import Job, Segment

from . import formulas, landscape
from .models import SurveyWave
from .rules import can_view_landscape
from .selectors import jobs_with_score_summary, scores_for_job, scores_last_run, waves_for_job

UNDERSERVED = frozenset({formulas.EXTREMELY_UNDERSERVED, formulas.UNDERSERVED})


def landscape_index(request):
    if not can_view_landscape(request.user):
        raise Http404("No such page.")
    context = {"jobs": jobs_with_score_summary(), "last_run": scores_last_run()}
    return render(request, "scoring/landscape_index.html", context)


def _segment_chosen(request, segments: list[Segment]) -> Segment | None:
    """The segment asked for in ?segment=<id>, or None (overall); an unknown one says so and shows overall."""
    wanted = request.GET.get("segment", "")
    if not wanted:
        return None
    for segment in segments:
        if str(segment.pk) == wanted:
            return segment
    messages.error(request, _("There is no such segment: showing all respondents instead."))
    return None


def _wave_chosen(request, waves: list[SurveyWave], name: str) -> SurveyWave | None:
    """The wave asked for in ?<name>=<id>, or None; an unknown one says so and is left out."""
    wanted = request.GET.get(name, "")
    if not wanted:
        return None
    for wave in waves:
        if str(wave.pk) == wanted:
            return wave
    messages.error(request, _("There is no such survey wave of this job: showing the latest one instead."))
    return None


def _movement(scores: list, compared: list) -> list[dict]:
    """Per outcome scored in both waves: its scores before and now, by outcome code."""
    before = {score.outcome_id: score for score in compared}
    rows = [{"before": before[score.outcome_id], "after": score} for score in scores if score.outcome_id in before]
    return sorted(rows, key=lambda row: row["after"].outcome.code)


def landscape_job(request, job_id: int):
    if not can_view_landscape(request.user):
        raise Http404("No such page.")
    job = get_object_or_404(Job, pk=job_id)
    segments = list(Segment.objects.all())
    segment = _segment_chosen(request, segments)
    waves = waves_for_job(job)
    current = next((choice for choice in waves if choice.current_total), None)
    wave = _wave_chosen(request, waves, "wave") or current
    compare = _wave_chosen(request, waves, "compare")
    if compare is not None and compare == wave:
        compare = None
    scores = list(scores_for_job(job=job, segment=segment, wave=wave))  # best opportunity first
    compared = list(scores_for_job(job=job, segment=segment, wave=compare)) if compare else []
    scored = {score.outcome_id for score in scores}
    unscored = [outcome for outcome in job.outcomes.all() if outcome.pk not in scored]
    who = _("segment %(name)s") % {"name": segment.name} if segment else _("all respondents")
    min_respondents = settings.SCORING_MIN_RESPONDENTS
    drawing = landscape.landscape_draw(
        scores,
        subject=(
            _("the job “%(job)s”, %(who)s, %(wave)s") % {"job": job.name, "who": who, "wave": wave.name}
            if wave
            else _("the job “%(job)s”, %(who)s") % {"job": job.name, "who": who}
        ),
        min_respondents=min_respondents,
        compared=compared,
        compared_label=f"“{compare.name}”" if compare else "",
    )
    context = {
        "job": job,
        "segments": segments,
        "segment": segment,
        "waves": waves,
        "wave": wave,
        "compare": compare,
        "movement": _movement(scores, compared) if compare else [],
        "who": who,
        "drawing": drawing,
        "scores_by_code": sorted(scores, key=lambda score: score.outcome.code),
        "sweet_spot": [score for score in scores if score.classification in UNDERSERVED],
        "others": [score for score in scores if score.classification not in UNDERSERVED],
        "unscored": unscored,
        "last_run": scores_last_run(),
        "min_respondents": min_respondents,
    }
    return render(request, "scoring/landscape_job.html", context)
