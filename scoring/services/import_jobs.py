"""Survey imports too large for the request: stored on upload, imported by a worker, watched by staff.

An upload above ``RATINGS_IMPORT_BACKGROUND_BYTES`` is saved (media storage) with a
``RatingsImportJob`` row and ``run_ratings_import_job`` is queued after commit. The worker runs
the same ``ratings_import`` as the request would: it reports the rows checked as it reads them,
and records the result in the import's own transaction, so "done" and the ratings commit
together and the scores recompute is queued when they do. A job a worker dropped (killed, broker
down when it was queued) is queued again by beat (``import_jobs_requeue``); running a job twice
is safe: the import is all or nothing, and a second run of a committed file changes nothing.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record

from ..models import RatingsImportJob, SurveyWave
from .imports import RatingsImportInvalid, ratings_import

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
    from django.http import HttpRequest

    from accounts.models import User

    from .imports import ImportResult


logger = logging.getLogger(__name__)

Status = RatingsImportJob.Status
# A job still queued or running after this long is taken to be lost and queued again.
STALE_AFTER = timedelta(minutes=10)


def ratings_import_audit(
    *,
    actor: User | None,
    result: ImportResult,
    file_name: str,
    job: RatingsImportJob | None = None,
    request: HttpRequest | None = None,
) -> None:
    """The audit row of a survey import that wrote ratings; called inside the import's transaction."""
    audit_record(
        actor=actor,
        action="ratings.imported",
        target=job,
        after={"file_name": file_name, "background": job is not None} | dataclasses.asdict(result),
        request=request,
    )


def ratings_import_job_create(
    *, file: UploadedFile, user: User, dry_run: bool = False, wave: SurveyWave | None = None
) -> RatingsImportJob:
    """Store the uploaded file and queue its import after commit; returns the job to watch."""
    from ..tasks import run_ratings_import_job

    with transaction.atomic():
        name = file.name or "ratings.csv"  # an upload always has its name
        job = RatingsImportJob(
            file_name=name[:255], file_size=file.size or 0, dry_run=dry_run, uploaded_by=user, wave=wave
        )
        job.file.save(name, file, save=False)
        job.save()
        run_ratings_import_job.delay_on_commit(job.pk)
    return job


def _progress(job_id: int, file):
    def report(rows: int) -> None:
        position = file.tell() if file.seekable() else 0
        RatingsImportJob.objects.filter(pk=job_id).update(rows_checked=rows, bytes_checked=position)

    return report


def ratings_import_job_run(*, job_id: int) -> RatingsImportJob | None:
    """Import a stored file (the worker). Safe to run twice; returns the job, or None if it is gone."""
    job = RatingsImportJob.objects.select_related("wave").filter(pk=job_id).first()
    if job is None or job.finished:
        return job
    RatingsImportJob.objects.filter(pk=job_id).update(status=Status.CHECKING, started_at=timezone.now())

    unfinished = RatingsImportJob.objects.filter(pk=job_id).exclude(status__in=RatingsImportJob.FINISHED)

    def checked(rows: int) -> None:
        unfinished.update(status=Status.WRITING, rows_checked=rows, bytes_checked=job.file_size)

    def record(result) -> None:  # inside the import's transaction (a real import) or after it (a dry run)
        # A second run of the job (a redelivered task) that waited for the first one's lock finds
        # it finished and leaves its result alone.
        finished = unfinished.update(
            status=Status.DONE, rows_checked=result.rows, result=dataclasses.asdict(result), finished_at=timezone.now()
        )
        if finished and not result.dry_run:
            ratings_import_audit(actor=job.uploaded_by, result=result, file_name=job.file_name, job=job)

    try:
        with job.file.open("rb") as file:
            result = ratings_import(
                file=file,
                dry_run=job.dry_run,
                wave=job.wave,
                progress=_progress(job_id, file),
                on_checked=checked,
                before_commit=None if job.dry_run else record,
            )
        if job.dry_run:
            record(result)
    except RatingsImportInvalid as invalid:
        unfinished.update(
            status=Status.INVALID,
            problems=[dataclasses.asdict(problem) for problem in invalid.errors],
            problems_more=invalid.more,
            finished_at=timezone.now(),
        )
    except OperationalError:
        # The database went away or a lock wait failed: nothing was committed and the job stays
        # unfinished, so the task's retry or beat's requeue runs it again.
        raise
    except Exception as error:
        logger.exception("Survey import job %s failed.", job_id)
        unfinished.update(status=Status.FAILED, error=f"{type(error).__name__}: {error}", finished_at=timezone.now())
    job.refresh_from_db()
    if job.finished and job.file:
        # Its rows are in the database now (or it was refused): free the disk.
        job.file.delete(save=False)
        RatingsImportJob.objects.filter(pk=job_id).update(file="")
    return job


def import_jobs_requeue() -> int:
    """Queue again the jobs that have waited or run longer than STALE_AFTER (beat). Returns how many."""
    from ..tasks import run_ratings_import_job

    before = timezone.now() - STALE_AFTER
    stale = RatingsImportJob.objects.filter(
        Q(status=Status.QUEUED, created_at__lt=before)
        | Q(status__in=[Status.CHECKING, Status.WRITING], started_at__lt=before)
    )
    ids = list(stale.values_list("pk", flat=True))
    for job_id in ids:
        run_ratings_import_job.apply_async_quietly(args=[job_id])
    return len(ids)
