"""Import an external survey's ratings from CSV: validate every row first, then write all or nothing.

The file has one rating a row: respondent id, segment, outcome code, importance, satisfaction
(docs/IMPORT.md is the format staff read). ``ratings_import`` reads the whole file and collects
every problem; if there is any, it raises ``RatingsImportInvalid`` and writes nothing. Otherwise
it upserts respondents and ratings in one transaction, so that importing the same file again
changes nothing (not even ``updated_at``) and a corrected file updates only the answers that
changed.

Speed: a million rows are parsed with the csv module and kept as four compact integer arrays;
on PostgreSQL they reach the database through COPY into temporary tables and two
``INSERT … ON CONFLICT`` statements, so the database does the matching, not Python.
"""

from __future__ import annotations

import csv
import io
import time
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.db import connection, transaction
from django.utils import timezone

from challenges.models import Outcome, Segment
from core.errors import DomainError

from ..models import MEMBER_KEY_PREFIX, Rating, Respondent, SurveyWave
from .scores import scores_recompute_soon
from .waves import WaveError, wave_current_for_job

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.core.files.uploadedfile import UploadedFile


# The columns of the file, each with the header names accepted for it (compared ignoring case,
# spaces, underscores and hyphens), most specific first: when a file has two columns that can
# name one field, say "outcome" and "code", the first name in this list wins.
COLUMNS = {
    "respondent_id": ("respondent_id", "respondent"),
    "segment": ("segment",),
    "outcome_code": ("outcome_code", "code", "outcome"),
    "importance": ("importance",),
    "satisfaction": ("satisfaction",),
}
DELIMITERS = (",", ";", "\t")
RATING_VALUES = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
KEY_MAX_LENGTH = cast(int, Respondent._meta.get_field("key").max_length)
# The report lists this many problems and counts the rest: a wrong file can have a million.
MAX_REPORTED_ERRORS = 1000
NOT_UTF8 = "the file is not UTF-8 text: save it as CSV UTF-8 and upload it again"
SEGMENT_HINT = " (staff add segments in the admin, under Challenges › Segments, before the import)"
UNKNOWN_SEGMENT = -1  # stands in for a segment name that matched none while the file is checked
# Serialises imports (a transaction-level advisory lock on PostgreSQL): two imports that share
# respondents would otherwise lock the same rating rows in different orders.
IMPORT_LOCK_ID = 7_301_002
# How often (in lines) a background import reports its progress while it checks the rows.
PROGRESS_EVERY = 50_000


@dataclass(frozen=True)
class RowError:
    """One problem in the file: where it is (line 1 is the header), what was there, and why it is wrong."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        if self.line == 0:  # the file as a whole (its outcomes and the wave chosen)
            return f"outcomes {self.value}: {self.reason}"
        where = f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ImportResult:
    rows: int
    respondents: int
    respondents_created: int
    respondents_updated: int
    ratings_created: int
    ratings_updated: int
    ratings_unchanged: int
    duration_seconds: float
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(
            self.respondents_created or self.respondents_updated or self.ratings_created or self.ratings_updated
        )

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.rows} rows read for {self.respondents} respondents in {self.duration_seconds:.1f} s. "
            f"Ratings: {self.ratings_created} {verb} created, {self.ratings_updated} {verb} updated, "
            f"{self.ratings_unchanged} unchanged. Respondents: {self.respondents_created} {verb} created, "
            f"{self.respondents_updated} {verb} moved to another segment."
        )


class RatingsImportInvalid(DomainError):
    """The file has problems; nothing was imported. ``errors`` lists them (at most MAX_REPORTED_ERRORS)."""

    def __init__(self, errors: list[RowError], more: int = 0):
        self.errors = errors
        self.more = more
        total = len(errors) + more
        lines = "\n".join(str(error) for error in errors[:10])
        rest = total - min(len(errors), 10)
        tail = f"\n… and {rest} more" if rest else ""
        super().__init__(
            f"The file has {total} problem{'s' if total != 1 else ''}; nothing was imported.\n{lines}{tail}"
        )

    @property
    def total(self) -> int:
        return len(self.errors) + self.more


class _Errors:
    """Collects problems, keeping the first MAX_REPORTED_ERRORS and counting the rest."""

    def __init__(self):
        self.kept: list[RowError] = []
        self.more = 0

    def add(self, line: int, column: str, value: str, reason: str) -> None:
        if len(self.kept) < MAX_REPORTED_ERRORS:
            self.kept.append(RowError(line, column, value, reason))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.kept)

    def raise_if_any(self) -> None:
        if self.kept:
            raise RatingsImportInvalid(self.kept, self.more)


@dataclass
class _ParsedFile:
    """The valid rows, compactly: respondent i of the file is keys[i] in segment segment_ids[i]."""

    keys: list[str]
    segment_ids: list[int | None]
    # One entry per rating row.
    respondent_indexes: array
    outcome_ids: array
    importances: array
    satisfactions: array

    @property
    def rows(self) -> int:
        return len(self.outcome_ids)


# --- Reading and validating ---------------------------------------------------------------------


def _normalise_header(name: str) -> str:
    """'Respondent ID', 'respondent_id' and 'respondent-id' all become 'respondentid'."""
    name = name.strip().lstrip("\ufeff").lower()
    for separator in (" ", "_", "-"):
        name = name.replace(separator, "")
    return name


def _lookup(names: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """Exact names, and names ignoring case where that is unambiguous."""
    folded: dict[str, int | None] = {}
    for name, pk in names.items():
        key = name.casefold()
        folded[key] = None if key in folded else pk
    return names, {key: pk for key, pk in folded.items() if pk is not None}


def _read_header(first_line: str, errors: _Errors) -> tuple[str, dict[str, int]]:
    """Pick the delimiter that makes the header name the most columns; map each field to its position."""
    best: tuple[int, str, list[str]] | None = None
    for delimiter in DELIMITERS:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        names = [_normalise_header(cell) for cell in cells]
        known = sum(1 for aliases in COLUMNS.values() if any(_normalise_header(a) in names for a in aliases))
        if best is None or known > best[0]:
            best = (known, delimiter, names)
    assert best is not None  # the loop ran over at least one delimiter
    _, delimiter, names = best
    positions: dict[str, int] = {}
    for field, aliases in COLUMNS.items():
        for alias in aliases:
            found = [index for index, name in enumerate(names) if name == _normalise_header(alias)]
            if len(found) > 1:
                errors.add(1, field, alias, f"the header has {len(found)} columns named {alias!r}; keep one")
            if found:
                positions[field] = found[0]
                break
        else:
            accepted = " or ".join(repr(alias) for alias in aliases)
            errors.add(1, field, "", f"missing column {field}: the header must have a column named {accepted}")
    return delimiter, positions


class _NotUtf8(Exception):
    def __init__(self, errors: _Errors, near_line: int):
        self.errors = errors
        self.near_line = near_line


def _first_line_not_utf8(file) -> int | None:
    """The number of the first line that is not UTF-8, read again from the start (None if the file cannot seek)."""
    if not file.seekable():
        return None
    file.seek(0)
    for number, raw in enumerate(file, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return None


def _parse(file, progress=None) -> _ParsedFile:
    """Read and check every row of a text or bytes stream; raise RatingsImportInvalid listing every problem.

    ``progress(rows)``, if given, is called every PROGRESS_EVERY rows read.
    """
    # Bytes are decoded as UTF-8, dropping a byte order mark; newline="" keeps line ends inside
    # quoted cells, as the csv module wants.
    wrapper = io.TextIOWrapper(file, encoding="utf-8-sig", newline="") if isinstance(file.read(0), bytes) else None
    try:
        return _parse_text(wrapper or file, progress)
    except _NotUtf8 as not_utf8:
        line = not_utf8.near_line
        if wrapper is not None:
            # The decoder reads ahead in blocks: find the wrong line by reading the bytes again.
            wrapper.detach()
            wrapper = None
            line = _first_line_not_utf8(file) or line
        not_utf8.errors.add(line, "", "", NOT_UTF8)
        not_utf8.errors.raise_if_any()
        raise
    finally:
        if wrapper is not None:
            wrapper.detach()  # leave the caller's file open


def _report_bad_rating(text: str, column: str, line: int, errors: _Errors) -> None:
    if text:
        errors.add(line, column, text, f"{column} must be a whole number from 1 to 5, not {text!r}")
    else:
        errors.add(line, column, "", f"missing {column}")


def _parse_text(text, progress=None) -> _ParsedFile:
    errors = _Errors()
    lines = iter(text)
    try:
        first_line = next(lines, "").lstrip("\ufeff")
    except UnicodeDecodeError:
        raise _NotUtf8(errors, 1) from None
    if not first_line.strip():
        errors.add(1, "", "", "the file is empty: the first line must name the columns")
        errors.raise_if_any()
    delimiter, positions = _read_header(first_line, errors)
    errors.raise_if_any()

    outcome_exact, outcome_folded = _lookup(dict(Outcome.objects.values_list("code", "id")))
    segment_exact, segment_folded = _lookup(dict(Segment.objects.values_list("name", "id")))
    # A pair (respondent, outcome) becomes one integer: respondent index * stride + outcome id.
    stride = max(outcome_exact.values(), default=0) + 1

    key_at, segment_at, code_at = positions["respondent_id"], positions["segment"], positions["outcome_code"]
    importance_at, satisfaction_at = positions["importance"], positions["satisfaction"]
    width = max(positions.values()) + 1

    # Respondent i of the file: keys[i], in segment segment_ids[i] (UNKNOWN_SEGMENT while the file is
    # wrong), named segment_names[i] on line first_lines[i].
    respondent_index: dict[str, int] = {}
    keys: list[str] = []
    segment_ids: list[int | None] = []
    segment_names: list[str] = []
    first_lines: list[int] = []
    seen: dict[int, int] = {}  # pair -> the line that rated it first
    respondent_indexes, outcome_ids = array("l"), array("l")
    importances, satisfactions = array("b"), array("b")

    reader = csv.reader(lines, delimiter=delimiter)
    last_line = 1  # the line the previous record ended on; the header is line 1
    next_progress = PROGRESS_EVERY
    try:
        for record in reader:
            line = last_line + 1
            last_line = reader.line_num + 1
            if progress is not None and reader.line_num >= next_progress:
                progress(reader.line_num)
                next_progress += PROGRESS_EVERY
            if len(record) < width:
                record += [""] * (width - len(record))
            key = record[key_at].strip()
            segment_name = record[segment_at].strip()
            code = record[code_at].strip()
            importance_text = record[importance_at].strip()
            satisfaction_text = record[satisfaction_at].strip()
            if not (key and code and importance_text and satisfaction_text) and not any(c.strip() for c in record):
                continue  # a blank line, or a row of empty cells as spreadsheets leave at the end
            row_ok = True

            if segment_name:
                segment_id = segment_exact.get(segment_name)
                if segment_id is None:
                    segment_id = segment_folded.get(segment_name.casefold())
                    if segment_id is None:
                        errors.add(line, "segment", segment_name, f"unknown segment {segment_name!r}{SEGMENT_HINT}")
                        segment_id = UNKNOWN_SEGMENT
                        row_ok = False
            else:
                segment_id = None

            # The respondent, and the one segment the file gives them.
            respondent = respondent_index.get(key)
            if respondent is None:
                if not key:
                    errors.add(line, "respondent_id", "", "missing respondent id")
                    row_ok = False
                elif len(key) > KEY_MAX_LENGTH:
                    errors.add(line, "respondent_id", key, f"respondent id is longer than {KEY_MAX_LENGTH} characters")
                    row_ok = False
                elif "\x00" in key:
                    errors.add(line, "respondent_id", key, "respondent id contains a NUL character")
                    row_ok = False
                elif key.lower().startswith(MEMBER_KEY_PREFIX):
                    errors.add(
                        line,
                        "respondent_id",
                        key,
                        f"respondent ids starting with {MEMBER_KEY_PREFIX!r} are the portal's own members",
                    )
                    row_ok = False
                else:
                    respondent = respondent_index[key] = len(keys)
                    keys.append(key)
                    segment_ids.append(segment_id)
                    segment_names.append(segment_name)
                    first_lines.append(line)
            elif segment_id != segment_ids[respondent] and segment_id is not UNKNOWN_SEGMENT:
                before = segment_names[respondent]
                given = f"segment {before!r}" if before else "no segment"
                errors.add(
                    line,
                    "segment",
                    segment_name,
                    f"respondent {key!r} has {given} on line {first_lines[respondent]}; "
                    "a respondent belongs to one segment",
                )
                row_ok = False

            # The outcome, rated once per respondent.
            outcome_id = outcome_exact.get(code)
            if outcome_id is None:
                outcome_id = outcome_folded.get(code.casefold())
                if outcome_id is None:
                    if code:
                        errors.add(line, "outcome_code", code, f"unknown outcome code {code!r}")
                    else:
                        errors.add(line, "outcome_code", "", "missing outcome code")
                    row_ok = False
            if respondent is not None and outcome_id is not None:
                pair = respondent * stride + outcome_id
                earlier = seen.setdefault(pair, line)
                if earlier != line:
                    errors.add(line, "outcome_code", code, f"duplicate of line {earlier} (same respondent and outcome)")
                    row_ok = False

            # The two answers.
            importance = RATING_VALUES.get(importance_text)
            if importance is None:
                _report_bad_rating(importance_text, "importance", line, errors)
                row_ok = False
            satisfaction = RATING_VALUES.get(satisfaction_text)
            if satisfaction is None:
                _report_bad_rating(satisfaction_text, "satisfaction", line, errors)
                row_ok = False

            if row_ok and not errors:  # once the file is wrong, keep checking but stop storing
                # A row without a respondent, an outcome or an answer is not ok.
                assert respondent is not None and outcome_id is not None
                assert importance is not None and satisfaction is not None
                respondent_indexes.append(respondent)
                outcome_ids.append(outcome_id)
                importances.append(importance)
                satisfactions.append(satisfaction)
    except UnicodeDecodeError:
        raise _NotUtf8(errors, last_line + 1) from None
    except csv.Error as error:
        errors.add(last_line + 1, "", "", f"this line cannot be read as CSV ({error})")

    if not errors and not outcome_ids:
        errors.add(2, "", "", "the file has a header but no ratings")
    errors.raise_if_any()
    return _ParsedFile(keys, segment_ids, respondent_indexes, outcome_ids, importances, satisfactions)


# --- Writing ----------------------------------------------------------------------------------


@dataclass
class _Counts:
    respondents_created: int = 0
    respondents_updated: int = 0
    ratings_created: int = 0
    ratings_updated: int = 0


def _use_copy() -> bool:
    return connection.vendor == "postgresql"


def _copy_rows(raw_cursor, table: str, columns: str, data: str) -> None:
    """COPY csv text into a table through the driver's raw cursor (psycopg2, or psycopg 3)."""
    sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"
    if hasattr(raw_cursor, "copy_expert"):
        raw_cursor.copy_expert(sql, io.StringIO(data))
    else:  # pragma: no cover - psycopg 3
        with raw_cursor.copy(sql) as copy:
            copy.write(data)


def _write_with_copy(parsed: _ParsedFile, wave_of: dict[int, int]) -> _Counts:
    """PostgreSQL: COPY the rows into temporary tables, then let two upserts match them.

    Unchanged ratings are left out before the upsert (an anti-join), so a re-import writes no
    row and takes no row locks; the upsert's WHERE keeps an answer that a concurrent writer set
    to the same values untouched too.
    """
    respondent_table = Respondent._meta.db_table
    rating_table = Rating._meta.db_table
    counts = _Counts()
    now = timezone.now()  # as auto_now would set it (PostgreSQL's now() stands still within a transaction)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_ID])
        cursor.execute("DROP TABLE IF EXISTS import_respondent, import_rating")
        cursor.execute(
            "CREATE TEMP TABLE import_respondent (idx integer PRIMARY KEY, key text NOT NULL, segment_id integer)"
            " ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMP TABLE import_rating (idx integer NOT NULL, outcome_id integer NOT NULL,"
            " wave_id bigint NOT NULL, importance smallint NOT NULL, satisfaction smallint NOT NULL) ON COMMIT DROP"
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows(zip(range(len(parsed.keys)), parsed.keys, parsed.segment_ids, strict=True))
        _copy_rows(cursor.cursor, "import_respondent", "idx, key, segment_id", buffer.getvalue())
        chunk = 200_000
        for start in range(0, parsed.rows, chunk):
            stop = start + chunk
            data = "".join(
                f"{r},{o},{wave_of[o]},{i},{s}\n"
                for r, o, i, s in zip(
                    parsed.respondent_indexes[start:stop],
                    parsed.outcome_ids[start:stop],
                    parsed.importances[start:stop],
                    parsed.satisfactions[start:stop],
                    strict=True,
                )
            )
            _copy_rows(cursor.cursor, "import_rating", "idx, outcome_id, wave_id, importance, satisfaction", data)
        cursor.execute("ANALYZE import_respondent")
        cursor.execute("ANALYZE import_rating")

        cursor.execute(
            f"""
            WITH upserted AS (
                INSERT INTO {respondent_table} AS r (key, segment_id, created_at)
                SELECT key, segment_id, %s FROM import_respondent
                ON CONFLICT (key) DO UPDATE SET segment_id = EXCLUDED.segment_id
                WHERE r.segment_id IS DISTINCT FROM EXCLUDED.segment_id
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
            """,
            [now],
        )
        counts.respondents_created, counts.respondents_updated = cursor.fetchone()

        cursor.execute(
            f"""
            WITH upserted AS (
                INSERT INTO {rating_table} AS rating
                    (respondent_id, outcome_id, wave_id, importance, satisfaction, updated_at)
                SELECT respondent.id, t.outcome_id, t.wave_id, t.importance, t.satisfaction, %s
                FROM import_rating t
                JOIN import_respondent ir ON ir.idx = t.idx
                JOIN {respondent_table} respondent ON respondent.key = ir.key
                WHERE NOT EXISTS (
                    SELECT 1 FROM {rating_table} same
                    WHERE same.respondent_id = respondent.id AND same.outcome_id = t.outcome_id
                      AND same.wave_id = t.wave_id AND same.importance = t.importance AND same.satisfaction = t.satisfaction
                )
                ON CONFLICT (respondent_id, outcome_id, wave_id) DO UPDATE
                SET importance = EXCLUDED.importance, satisfaction = EXCLUDED.satisfaction,
                    updated_at = EXCLUDED.updated_at
                WHERE (rating.importance, rating.satisfaction)
                      IS DISTINCT FROM (EXCLUDED.importance, EXCLUDED.satisfaction)
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
            """,
            [now],
        )
        counts.ratings_created, counts.ratings_updated = cursor.fetchone()
        cursor.execute("DROP TABLE import_respondent, import_rating")
    return counts


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write_with_orm(parsed: _ParsedFile, wave_of: dict[int, int]) -> _Counts:
    """Any other database (SQLite in development): the same result with bulk queries, more slowly."""
    counts = _Counts()
    known: dict[str, tuple[int, int | None]] = {}
    for keys in _chunks(parsed.keys):
        for key, pk, segment_id in Respondent.objects.filter(key__in=keys).values_list("key", "id", "segment_id"):
            known[key] = (pk, segment_id)
    new = [
        Respondent(key=key, segment_id=segment_id)
        for key, segment_id in zip(parsed.keys, parsed.segment_ids, strict=True)
        if key not in known
    ]
    Respondent.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    missing = [respondent.key for respondent in new]
    for keys in _chunks(missing):
        for key, pk, segment_id in Respondent.objects.filter(key__in=keys).values_list("key", "id", "segment_id"):
            known[key] = (pk, segment_id)
    counts.respondents_created = len(new)
    moved = [
        Respondent(pk=known[key][0], segment_id=segment_id)
        for key, segment_id in zip(parsed.keys, parsed.segment_ids, strict=True)
        if known[key][1] != segment_id
    ]
    Respondent.objects.bulk_update(moved, ["segment"], batch_size=500)
    counts.respondents_updated = len(moved)

    respondent_ids = [known[key][0] for key in parsed.keys]
    existing: dict[tuple[int, int, int], tuple[int, int, int]] = {}
    for ids in _chunks(respondent_ids):
        rows = Rating.objects.filter(respondent_id__in=ids, wave_id__in=set(wave_of.values())).values_list(
            "respondent_id", "outcome_id", "wave_id", "id", "importance", "satisfaction"
        )
        for respondent_id, outcome_id, wave_id, pk, importance, satisfaction in rows:
            existing[(respondent_id, outcome_id, wave_id)] = (pk, importance, satisfaction)
    now = timezone.now()
    created, changed = [], []
    for index, outcome_id, importance, satisfaction in zip(
        parsed.respondent_indexes, parsed.outcome_ids, parsed.importances, parsed.satisfactions, strict=True
    ):
        respondent_id = respondent_ids[index]
        current = existing.get((respondent_id, outcome_id, wave_of[outcome_id]))
        if current is None:
            created.append(
                Rating(
                    respondent_id=respondent_id,
                    outcome_id=outcome_id,
                    wave_id=wave_of[outcome_id],
                    importance=importance,
                    satisfaction=satisfaction,
                )
            )
        elif current[1:] != (importance, satisfaction):
            changed.append(Rating(pk=current[0], importance=importance, satisfaction=satisfaction, updated_at=now))
    Rating.objects.bulk_create(created, batch_size=500)
    Rating.objects.bulk_update(changed, ["importance", "satisfaction", "updated_at"], batch_size=500)
    counts.ratings_created, counts.ratings_updated = len(created), len(changed)
    return counts


def _waves_of_outcomes(outcome_ids: set[int], wave: SurveyWave | None) -> dict[int, int]:
    """{outcome id: the wave its ratings go into}: ``wave`` for all (every outcome must be one it
    asks), or each outcome's job's open survey round. Raises RatingsImportInvalid, naming the
    outcomes, when that cannot be."""
    outcomes = Outcome.objects.filter(pk__in=outcome_ids).select_related("job").order_by("code")
    if wave is not None:
        asked = set(wave.outcomes.values_list("pk", flat=True))
        strangers = [o.code for o in outcomes if o.job_id != wave.job_id or (asked and o.pk not in asked)]
        if strangers:
            raise RatingsImportInvalid(
                [RowError(0, "outcome_code", ", ".join(strangers[:20]), f"not asked by the wave “{wave}”")]
            )
        return dict.fromkeys(outcome_ids, wave.pk)
    wave_of: dict[int, int] = {}
    waves: dict[int, int] = {}
    for outcome in outcomes:
        if outcome.job_id not in waves:
            try:
                waves[outcome.job_id] = wave_current_for_job(job=outcome.job).pk
            except WaveError as error:
                raise RatingsImportInvalid(
                    [RowError(0, "outcome_code", outcome.code, f"{error} Choose a wave for the import.")]
                ) from None
        wave_of[outcome.pk] = waves[outcome.job_id]
    return wave_of


def ratings_import(
    *,
    file: UploadedFile,
    dry_run: bool = False,
    wave: SurveyWave | None = None,
    progress: Callable[..., object] | None = None,
    on_checked: Callable[..., object] | None = None,
    before_commit: Callable[..., object] | None = None,
) -> ImportResult:
    """Import a survey CSV (a text or bytes stream): every row is checked first, then all or nothing.

    Raises RatingsImportInvalid listing each problem (line, column, value, reason) and writes
    nothing if any row is wrong. Otherwise creates missing respondents, moves respondents whose
    segment changed, creates new ratings and updates changed ones, in one transaction; unchanged
    ratings are not touched. A dry run does the same work and rolls it back, so its counts say
    what an import would do. Asks for a scores recompute after commit when anything changed.

    The ratings go into ``wave`` (any wave of one job: a past round can be imported into a closed
    wave) or, without one, into each outcome's job's open survey round (opened now for a job that
    never had one). A file with outcomes the wave does not ask is refused.
    On PostgreSQL, holds a transaction-level advisory lock so that imports run one at a time.

    A background import (scoring.services.import_jobs) passes ``progress(rows)``, called while the
    rows are checked (before the transaction), ``on_checked(rows)`` once every row passed, and
    ``before_commit(result)``, called inside the
    import's transaction so that its record of the result commits with the ratings (not for a dry run).
    """
    started = time.perf_counter()
    parsed = _parse(file, progress)
    if on_checked is not None:
        on_checked(parsed.rows)

    def result_of(counts: _Counts) -> ImportResult:
        return ImportResult(
            rows=parsed.rows,
            respondents=len(parsed.keys),
            respondents_created=counts.respondents_created,
            respondents_updated=counts.respondents_updated,
            ratings_created=counts.ratings_created,
            ratings_updated=counts.ratings_updated,
            ratings_unchanged=parsed.rows - counts.ratings_created - counts.ratings_updated,
            duration_seconds=time.perf_counter() - started,
            dry_run=dry_run,
        )

    with transaction.atomic():
        wave_of = _waves_of_outcomes(set(parsed.outcome_ids), wave)
        counts = _write_with_copy(parsed, wave_of) if _use_copy() else _write_with_orm(parsed, wave_of)
        changed = any(vars(counts).values())
        if dry_run:
            transaction.set_rollback(True)
        else:
            if changed:
                scores_recompute_soon()
            if before_commit is not None:
                before_commit(result_of(counts))
    # Measured after the commit: PostgreSQL checks the foreign keys of new ratings there.
    return result_of(counts)
