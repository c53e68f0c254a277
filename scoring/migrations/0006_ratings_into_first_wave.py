"""Existing ratings and scores move into a first survey wave per job (an open survey round).

Reversible: going back keeps, for each respondent and outcome, only the rating of the job's first
wave (the schema before waves holds one rating per respondent and outcome), and the scores of the
first wave. Plain ORM updates, so it runs on SQLite and PostgreSQL alike.
"""

from django.db import migrations
from django.db.models import Min


def forwards(apps, schema_editor):
    Job = apps.get_model("challenges", "Job")
    Rating = apps.get_model("scoring", "Rating")
    OutcomeScore = apps.get_model("scoring", "OutcomeScore")
    SurveyWave = apps.get_model("scoring", "SurveyWave")
    for job in Job.objects.order_by("pk"):
        ratings = Rating.objects.filter(outcome__job_id=job.pk, wave__isnull=True)
        scores = OutcomeScore.objects.filter(outcome__job_id=job.pk, wave__isnull=True)
        if not ratings.exists() and not scores.exists():
            continue  # its first wave opens with its first answer
        first_answer = ratings.aggregate(first=Min("updated_at"))["first"] or job.created_at
        wave = SurveyWave.objects.create(
            job_id=job.pk,
            name="Wave 1",
            kind="round",
            status="open",
            opens_at=first_answer,
            opened_at=first_answer,
        )
        Rating.objects.filter(pk__in=ratings.values("pk")).update(wave_id=wave.pk)
        OutcomeScore.objects.filter(pk__in=scores.values("pk")).update(wave_id=wave.pk, current=True)


def backwards(apps, schema_editor):
    Rating = apps.get_model("scoring", "Rating")
    OutcomeScore = apps.get_model("scoring", "OutcomeScore")
    SurveyWave = apps.get_model("scoring", "SurveyWave")
    first_waves = [
        SurveyWave.objects.filter(job_id=job_id).order_by("opens_at", "pk").values_list("pk", flat=True).first()
        for job_id in SurveyWave.objects.values_list("job_id", flat=True).distinct()
    ]
    Rating.objects.exclude(wave_id__in=first_waves).delete()
    OutcomeScore.objects.exclude(wave_id__in=first_waves).delete()
    Rating.objects.update(wave_id=None)
    OutcomeScore.objects.update(wave_id=None, current=False)
    SurveyWave.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0001_initial"),
        ("scoring", "0005_survey_waves"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
