"""manage.py import_ratings PATH [--dry-run] [--wave ID]: import a survey CSV; any bad row and nothing is imported."""

from django.core.management.base import BaseCommand, CommandError

from scoring.models import SurveyWave
from scoring.services.imports import RatingsImportInvalid, ratings_import


class Command(BaseCommand):
    help = (
        "Import survey ratings from a CSV file (columns: respondent_id, segment, outcome_code, importance, "
        "satisfaction; see docs/IMPORT.md). Every row is checked first; if any is wrong, each problem is "
        "listed and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file, UTF-8, with a header line.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and say what would change; import nothing."
        )

        parser.add_argument(
            "--wave",
            type=int,
            help="The id of the survey wave the ratings go into (default: each job's open survey round).",
        )

    def handle(self, *args, path, dry_run, wave=None, **options):
        chosen = None
        if wave is not None:
            chosen = SurveyWave.objects.select_related("job").filter(pk=wave).first()
            if chosen is None:
                raise CommandError(f"There is no survey wave {wave}.")
        try:
            with open(path, "rb") as file:
                result = ratings_import(file=file, dry_run=dry_run, wave=chosen)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        except RatingsImportInvalid as invalid:
            for problem in invalid.errors:
                self.stderr.write(str(problem))
            if invalid.more:
                self.stderr.write(f"… and {invalid.more} more problems not listed")
            raise CommandError(
                f"{invalid.total} problem{'s' if invalid.total != 1 else ''} in {path}; nothing was imported."
            ) from None
        prefix = "Dry run, nothing was saved. " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))
