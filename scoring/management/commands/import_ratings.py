"""manage.py import_ratings PATH [--dry-run]: import a survey CSV; any bad row and nothing is imported."""

from django.core.management.base import BaseCommand, CommandError

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

    def handle(self, *args, path, dry_run, **options):
        try:
            with open(path, "rb") as file:
                result = ratings_import(file=file, dry_run=dry_run)
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
