"""Survey CSV import: every bad row is reported with its line, column and reason and nothing is
saved; a good file imports; the same file again changes nothing; a corrected file updates only
what changed. Through the service, the management command and the admin upload."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import INFO, SUCCESS
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from scoring.models import OutcomeScore, Rating, Respondent, ScoringRun
from scoring.services import imports
from scoring.services.imports import RatingsImportInvalid, ratings_import
from tests import factories

HEADER = "respondent_id,segment,outcome_code,importance,satisfaction\n"
IMPORT_URL = reverse("admin:scoring_rating_import")
CHANGELIST_URL = reverse("admin:scoring_rating_changelist")


@pytest.fixture
def outcomes(db):
    return [factories.OutcomeFactory(code=f"PLAN-0{n}") for n in (1, 2, 3)]


@pytest.fixture
def segments(db):
    return [factories.SegmentFactory(name="Customers"), factories.SegmentFactory(name="Non-customers")]


@pytest.fixture
def existing(outcomes, segments):
    """Something already in the database, so 'nothing saved' means unchanged, not empty."""
    respondent = Respondent.objects.create(key="OLD-1", segment=segments[0])
    Rating.objects.create(
        respondent=respondent, outcome=outcomes[0], wave=factories.round_of(outcomes[0]), importance=3, satisfaction=3
    )
    return respondent


GOOD = (
    HEADER + "R1,Customers,PLAN-01,5,2\n"
    "R1,Customers,PLAN-02,4,4\n"
    "R2,Non-customers,PLAN-01,3,1\n"
    "R2,Non-customers,PLAN-03,1,5\n"
    "R3,,PLAN-02,2,3\n"
)


def as_bytes(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def snapshot() -> dict:
    """Every rating and respondent as it stands, updated_at included."""
    return {
        "ratings": sorted(
            Rating.objects.values_list("respondent__key", "outcome__code", "importance", "satisfaction", "updated_at")
        ),
        "respondents": sorted(Respondent.objects.values_list("key", "segment__name", "created_at")),
    }


def problems_of(text: str) -> list[imports.RowError]:
    before = snapshot()
    with pytest.raises(RatingsImportInvalid) as raised:
        ratings_import(file=as_bytes(text))
    assert snapshot() == before, "a file with a bad row must save nothing"
    return raised.value.errors


# --- A good file --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_good_file_imports_every_rating_and_respondent(existing, segments):
    result = ratings_import(file=as_bytes(GOOD))

    assert (result.rows, result.respondents) == (5, 3)
    assert (result.respondents_created, result.respondents_updated) == (3, 0)
    assert (result.ratings_created, result.ratings_updated, result.ratings_unchanged) == (5, 0, 0)
    assert result.duration_seconds > 0
    assert set(
        Rating.objects.filter(respondent__key__startswith="R").values_list(
            "respondent__key", "outcome__code", "importance", "satisfaction"
        )
    ) == {
        ("R1", "PLAN-01", 5, 2),
        ("R1", "PLAN-02", 4, 4),
        ("R2", "PLAN-01", 3, 1),
        ("R2", "PLAN-03", 1, 5),
        ("R3", "PLAN-02", 2, 3),
    }
    # An empty segment cell means the respondent is in no segment.
    assert dict(Respondent.objects.values_list("key", "segment__name")) == {
        "OLD-1": "Customers",
        "R1": "Customers",
        "R2": "Non-customers",
        "R3": None,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        # Semicolons, a byte order mark, Windows line ends, header names in other spellings and order.
        "\ufeffSatisfaction;Importance;Outcome Code;Segment;Respondent ID\r\n2;5;PLAN-01;Customers;R1\r\n",
        # Aliases, quoted cells with spaces around values, an extra column and trailing blank lines.
        'respondent,Segment,code,IMPORTANCE,satisfaction,comment\n"R1"," Customers ",PLAN-01, 5 ,2,"nice, really"\n\n,,,,,\n',
        # Tab-separated, codes and segment names in another case.
        "respondent-id\tsegment\toutcome\timportance\tsatisfaction\nR1\tcustomers\tplan-01\t5\t2\n",
    ],
    ids=["semicolons-bom-crlf", "aliases-quotes-extra-column", "tabs-other-case"],
)
def test_other_spellings_of_a_good_file(outcomes, segments, text):
    result = ratings_import(file=as_bytes(text))

    assert (result.rows, result.ratings_created) == (1, 1)
    rating = Rating.objects.get()
    assert (rating.respondent.key, rating.respondent.segment, rating.outcome.code) == ("R1", segments[0], "PLAN-01")
    assert (rating.importance, rating.satisfaction) == (5, 2)


@pytest.mark.django_db
def test_a_text_stream_works_like_bytes(outcomes, segments):
    result = ratings_import(file=io.StringIO(GOOD))

    assert result.ratings_created == 5


@pytest.mark.django_db
def test_member_respondent_keys_are_reserved_for_the_portals_members(outcomes, customer):
    Respondent.objects.create(key=f"member-{customer.pk}", user=customer)

    with pytest.raises(RatingsImportInvalid) as refused:
        ratings_import(file=as_bytes(HEADER + f"member-{customer.pk},,PLAN-03,4,1\n"))

    error = refused.value.errors[0]
    assert (error.line, error.column) == (2, "respondent_id")
    assert "portal's own members" in error.reason
    assert not Rating.objects.exists()


# --- Bad rows: reported with line, column and reason, and nothing saved ---------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "column", "value", "reason"),
    [
        ("R9,Customers,PLAN-99,3,3", "outcome_code", "PLAN-99", "unknown outcome code 'PLAN-99'"),
        ("R9,Customers,PLAN-01,0,3", "importance", "0", "importance must be a whole number from 1 to 5, not '0'"),
        ("R9,Customers,PLAN-01,6,3", "importance", "6", "importance must be a whole number from 1 to 5, not '6'"),
        (
            "R9,Customers,PLAN-01,3,abc",
            "satisfaction",
            "abc",
            "satisfaction must be a whole number from 1 to 5, not 'abc'",
        ),
        ("R9,Customers,PLAN-01,3.5,3", "importance", "3.5", "importance must be a whole number from 1 to 5, not '3.5'"),
        ("R9,Customers,PLAN-01,3,", "satisfaction", "", "missing satisfaction"),
        ("R9,Customers,PLAN-01,3", "satisfaction", "", "missing satisfaction"),  # a short row
        ("R9,Customers,,3,3", "outcome_code", "", "missing outcome code"),
        (",Customers,PLAN-01,3,3", "respondent_id", "", "missing respondent id"),
        ("R9,Prospects,PLAN-01,3,3", "segment", "Prospects", "unknown segment 'Prospects'"),
        (f"{'R' * 101},,PLAN-01,3,3", "respondent_id", "R" * 101, "respondent id is longer than 100 characters"),
    ],
    ids=[
        "unknown-outcome",
        "importance-0",
        "importance-6",
        "satisfaction-abc",
        "importance-fraction",
        "empty-cell",
        "short-row",
        "missing-code",
        "missing-respondent",
        "unknown-segment",
        "key-too-long",
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_saved(existing, row, column, value, reason):
    text = HEADER + "R1,Customers,PLAN-01,5,2\n" + row + "\n" + "R2,Customers,PLAN-02,4,4\n"

    problems = problems_of(text)

    assert len(problems) == 1
    problem = problems[0]
    assert (problem.line, problem.column, problem.value) == (3, column, value)
    assert problem.reason.startswith(reason)
    assert str(problem).startswith(f"line 3, column {column}: {reason}")


@pytest.mark.django_db
def test_a_missing_column_is_one_problem_naming_it(existing):
    problems = problems_of("respondent_id,segment,outcome_code,importance\nR1,Customers,PLAN-01,5\n")

    assert [(p.line, p.column) for p in problems] == [(1, "satisfaction")]
    assert "missing column satisfaction" in problems[0].reason


@pytest.mark.django_db
def test_a_duplicate_row_names_the_line_it_repeats(existing):
    text = HEADER + "R1,Customers,PLAN-01,5,2\nR1,Customers,PLAN-02,5,2\nR1,Customers,PLAN-01,4,2\n"

    problems = problems_of(text)

    assert [(p.line, p.column, p.reason) for p in problems] == [
        (4, "outcome_code", "duplicate of line 2 (same respondent and outcome)")
    ]


@pytest.mark.django_db
def test_one_respondent_in_two_segments_is_a_problem(existing):
    text = HEADER + "R1,Customers,PLAN-01,5,2\nR1,Non-customers,PLAN-02,5,2\nR1,,PLAN-03,5,2\n"

    problems = problems_of(text)

    assert [(p.line, p.column, p.value) for p in problems] == [(3, "segment", "Non-customers"), (4, "segment", "")]
    assert problems[0].reason.startswith("respondent 'R1' has segment 'Customers' on line 2")


@pytest.mark.django_db
def test_every_bad_row_of_a_file_is_reported(existing):
    text = (
        HEADER + "R1,Customers,PLAN-01,5,2\n"  # line 2: good
        "R1,Customers,PLAN-77,5,2\n"  # 3: unknown outcome
        "\n"  # 4: blank, skipped but counted
        "R2,Customers,PLAN-01,0,9\n"  # 5: two bad values
        'R3,"Customers",PLAN-02,"",1\n'  # 6: missing importance
        "R1,Customers,PLAN-01,5,2\n"  # 7: duplicate of line 2
        "R4,Nobody,PLAN-01,1,1\n"  # 8: unknown segment
    )

    problems = problems_of(text)

    assert [(p.line, p.column) for p in problems] == [
        (3, "outcome_code"),
        (5, "importance"),
        (5, "satisfaction"),
        (6, "importance"),
        (7, "outcome_code"),
        (8, "segment"),
    ]


@pytest.mark.django_db
def test_a_file_with_very_many_bad_rows_lists_the_first_thousand_and_counts_the_rest(outcomes):
    text = HEADER + "".join(f"R{n},,PLAN-01,9,1\n" for n in range(1500))

    with pytest.raises(RatingsImportInvalid) as raised:
        ratings_import(file=as_bytes(text))

    assert len(raised.value.errors) == imports.MAX_REPORTED_ERRORS
    assert raised.value.more == 500
    assert raised.value.total == 1500
    assert "1500 problems; nothing was imported" in str(raised.value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (HEADER.encode(), "the file has a header but no ratings"),
        (HEADER.encode() + b"R1,,PLAN-01,5," + b"2" * 200_000 + b"\n", "this line cannot be read as CSV"),
        ("Respondent;Segment\n".encode("utf-16"), "the file is not UTF-8 text"),
    ],
    ids=["empty", "header-only", "huge-cell", "utf-16"],
)
def test_an_unreadable_file_is_a_problem(existing, content, reason):
    before = snapshot()

    with pytest.raises(RatingsImportInvalid) as raised:
        ratings_import(file=io.BytesIO(content))

    assert raised.value.errors[0].reason.startswith(reason)
    assert snapshot() == before


@pytest.mark.django_db
def test_a_line_that_is_not_utf8_is_found_even_far_into_the_file(existing):
    good_rows = "".join(f"R{n},Customers,PLAN-01,5,2\n" for n in range(2000))
    content = (HEADER + good_rows).encode() + "R9,Kündin,PLAN-01,5,2\n".encode("latin-1")

    with pytest.raises(RatingsImportInvalid) as raised:
        ratings_import(file=io.BytesIO(content))

    assert [(p.line, p.reason[:26]) for p in raised.value.errors] == [(2002, "the file is not UTF-8 text")]


# --- Importing again ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(existing, django_capture_on_commit_callbacks):
    ratings_import(file=as_bytes(GOOD))
    before = snapshot()

    with django_capture_on_commit_callbacks() as callbacks:
        result = ratings_import(file=as_bytes(GOOD))

    assert snapshot() == before  # not even updated_at
    assert (result.ratings_created, result.ratings_updated, result.ratings_unchanged) == (0, 0, 5)
    assert (result.respondents_created, result.respondents_updated) == (0, 0)
    assert not result.changed
    assert callbacks == [], "nothing changed, so no scores recompute"


@pytest.mark.django_db
def test_a_corrected_file_updates_only_the_changed_answers(existing):
    ratings_import(file=as_bytes(GOOD))
    before = {
        (key, code): (importance, satisfaction, updated_at)
        for key, code, importance, satisfaction, updated_at in snapshot()["ratings"]
    }
    corrected = (
        GOOD.replace("R1,Customers,PLAN-02,4,4", "R1,Customers,PLAN-02,4,5")
        .replace("R2,Non-customers", "R2,Customers")
        .replace("R3,,PLAN-02,2,3", "R3,,PLAN-02,2,3\nR3,,PLAN-03,1,1")
    )

    result = ratings_import(file=as_bytes(corrected))

    assert (result.ratings_created, result.ratings_updated, result.ratings_unchanged) == (1, 1, 4)
    assert (result.respondents_created, result.respondents_updated) == (0, 1)
    after = {(key, code): (imp, sat, updated) for key, code, imp, sat, updated in snapshot()["ratings"]}
    changed = {pair for pair in before if before[pair] != after[pair]}
    assert changed == {("R1", "PLAN-02")}
    assert after[("R1", "PLAN-02")][:2] == (4, 5)
    assert after[("R1", "PLAN-02")][2] > before[("R1", "PLAN-02")][2]
    assert after[("R3", "PLAN-03")][:2] == (1, 1)
    assert Respondent.objects.get(key="R2").segment.name == "Customers"
    # The file speaks for the respondents it names; others keep their ratings.
    assert existing.ratings.count() == 1


@pytest.mark.django_db
def test_a_dry_run_counts_what_would_change_and_saves_nothing(existing):
    before = snapshot()

    result = ratings_import(file=as_bytes(GOOD), dry_run=True)

    assert result.dry_run
    assert (result.ratings_created, result.respondents_created) == (5, 3)
    assert snapshot() == before


@pytest.mark.django_db
def test_scores_are_recomputed_after_an_import_commits(existing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ratings_import(file=as_bytes(GOOD))

    assert len(callbacks) == 1
    # Tasks run inline in tests: the recompute read every rating, the imported ones included.
    assert ScoringRun.objects.get().ratings == 6
    assert OutcomeScore.objects.filter(outcome__code="PLAN-03", segment__isnull=True).get().respondents == 1


@pytest.mark.django_db
def test_the_orm_path_for_other_databases_gives_the_same_results(existing, monkeypatch):
    """SQLite in development takes the ORM path; here it runs on PostgreSQL to check its counts."""
    monkeypatch.setattr(imports, "_use_copy", lambda: False)

    first = ratings_import(file=as_bytes(GOOD))
    before = snapshot()
    again = ratings_import(file=as_bytes(GOOD))
    unchanged = snapshot()
    corrected = ratings_import(
        file=as_bytes(
            GOOD.replace("R1,Customers,PLAN-02,4,4", "R1,Customers,PLAN-02,4,5").replace("R3,,", "R3,Customers,")
        )
    )

    assert (first.ratings_created, first.respondents_created) == (5, 3)
    assert (again.ratings_unchanged, again.changed) == (5, False)
    assert unchanged == before
    assert (corrected.ratings_updated, corrected.ratings_unchanged, corrected.respondents_updated) == (1, 4, 1)
    assert Rating.objects.get(respondent__key="R1", outcome__code="PLAN-02").satisfaction == 5


@pytest.mark.django_db
def test_twenty_thousand_rows_import_and_reimport(segments):
    """Not a timing test (docs/IMPORT.md has the measurement): bulk paths stay correct at size."""
    codes = [factories.OutcomeFactory(code=f"BULK-{n:03d}").code for n in range(100)]
    names = ["Customers", "Non-customers", ""]
    lines = [HEADER]
    for respondent in range(200):
        for index, code in enumerate(codes):
            value = (respondent + index) % 5 + 1
            lines.append(f"S{respondent:04d},{names[respondent % 3]},{code},{value},{6 - value}\n")
    text = "".join(lines)

    first = ratings_import(file=as_bytes(text))
    again = ratings_import(file=as_bytes(text))

    assert (first.rows, first.ratings_created, first.respondents_created) == (20_000, 20_000, 200)
    assert (again.ratings_unchanged, again.changed) == (20_000, False)
    assert Rating.objects.count() == 20_000
    assert Respondent.objects.filter(segment__isnull=True).count() == 66
    sample = Rating.objects.get(respondent__key="S0007", outcome__code="BULK-042")
    assert (sample.importance, sample.satisfaction) == ((7 + 42) % 5 + 1, 6 - ((7 + 42) % 5 + 1))


# --- Management command -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_imports_a_file(existing, tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()

    call_command("import_ratings", str(path), stdout=out)

    assert "5 rows read for 3 respondents" in out.getvalue()
    assert "Ratings: 5 were created, 0 were updated, 0 unchanged" in out.getvalue()
    assert Rating.objects.count() == 6


@pytest.mark.django_db
def test_the_command_lists_each_problem_and_imports_nothing(existing, tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text(GOOD + "R4,Customers,PLAN-01,7,2\nR5,Customers,PLAN-99,1,1\n", encoding="utf-8")
    err = io.StringIO()
    before = snapshot()

    with pytest.raises(CommandError, match="2 problems in .*; nothing was imported"):
        call_command("import_ratings", str(path), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 7, column importance: importance must be a whole number from 1 to 5, not '7'",
        "line 8, column outcome_code: unknown outcome code 'PLAN-99'",
    ]
    assert snapshot() == before


@pytest.mark.django_db
def test_the_command_dry_run_saves_nothing(existing, tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    before = snapshot()

    call_command("import_ratings", str(path), "--dry-run", stdout=out)

    assert "Dry run, nothing was saved" in out.getvalue()
    assert "5 would be created" in out.getvalue()
    assert snapshot() == before


@pytest.mark.django_db
def test_the_command_says_when_the_file_is_missing(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_ratings", str(tmp_path / "nope.csv"))


# --- Admin upload ------------------------------------------------------------------------------


@pytest.fixture
def admin_client_for(client, django_user_model):
    def sign_in(**kwargs):
        user = django_user_model.objects.create_user(
            username=kwargs.pop("username", "boss"), email="boss@example.com", password="pw-boss-123", **kwargs
        )
        client.force_login(user)
        return client, user

    return sign_in


def upload(client, text: str, **data):
    return client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("survey.csv", text.encode(), "text/csv"), **data}, follow=True
    )


def message_levels(response):
    return [(message.level, message.message) for message in response.context["messages"]]


@pytest.mark.django_db
def test_a_superuser_uploads_a_good_file(existing, admin_client_for):
    client, _ = admin_client_for(is_staff=True, is_superuser=True)
    changelist = client.get(CHANGELIST_URL)
    assert IMPORT_URL in changelist.content.decode(), "the changelist links to the import"
    assert client.get(IMPORT_URL).status_code == 200

    response = upload(client, GOOD)

    assert response.redirect_chain[-1][0] == CHANGELIST_URL
    [(level, text)] = message_levels(response)
    assert level == SUCCESS
    assert "Survey imported. 5 rows read for 3 respondents" in text
    assert Rating.objects.count() == 6


@pytest.mark.django_db
def test_an_upload_with_bad_rows_shows_every_problem_and_saves_nothing(existing, admin_client_for):
    client, _ = admin_client_for(is_staff=True, is_superuser=True)
    before = snapshot()

    response = upload(client, GOOD + "R4,Customers,PLAN-01,7,2\nR5,Nobody,PLAN-99,1,1\n")

    assert response.status_code == 200
    assert snapshot() == before
    page = response.content.decode()
    assert "The file has 3 problems; nothing was imported." in page
    assert [(p.line, p.column, p.value) for p in response.context["problems"]] == [
        (7, "importance", "7"),
        (8, "segment", "Nobody"),
        (8, "outcome_code", "PLAN-99"),
    ]
    assert "importance must be a whole number from 1 to 5, not &#x27;7&#x27;" in page
    assert "<td>8</td>" in page and "<code>PLAN-99</code>" in page


@pytest.mark.django_db
def test_an_upload_dry_run_says_what_would_change(existing, admin_client_for):
    client, _ = admin_client_for(is_staff=True, is_superuser=True)
    before = snapshot()

    response = upload(client, GOOD, dry_run="on")

    assert response.redirect_chain[-1][0] == IMPORT_URL
    [(level, text)] = message_levels(response)
    assert level == INFO and "nothing was saved" in text and "5 would be created" in text
    assert snapshot() == before


@pytest.mark.django_db
def test_staff_with_the_import_permission_may_import(existing, admin_client_for):
    client, user = admin_client_for(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="scoring", codename="view_rating"),
        Permission.objects.get(content_type__app_label="scoring", codename="import_ratings"),
    )

    response = upload(client, GOOD)

    assert [level for level, _ in message_levels(response)] == [SUCCESS]
    assert Rating.objects.count() == 6


@pytest.mark.django_db
def test_triage_staff_may_import(existing, triage, client_for):
    client = client_for(triage)

    assert IMPORT_URL in client.get(CHANGELIST_URL).content.decode()
    assert [level for level, _ in message_levels(upload(client, GOOD))] == [SUCCESS]
    assert Rating.objects.count() == 6


@pytest.mark.django_db
def test_staff_without_the_import_permission_cannot_import(existing, admin_client_for):
    client, user = admin_client_for(is_staff=True)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="scoring", codename="view_rating"))

    assert IMPORT_URL not in client.get(CHANGELIST_URL).content.decode()
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert Rating.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_customers_cannot_reach_the_upload(existing, customer, client_for, who):
    client = client_for(customer if who == "customer" else None)

    response = client.get(IMPORT_URL)
    posted = client.post(IMPORT_URL, {"file": SimpleUploadedFile("survey.csv", GOOD.encode(), "text/csv")})

    for answer in (response, posted):
        assert answer.status_code == 302
        assert answer.url.startswith(reverse("admin:login"))
    assert Rating.objects.count() == 1


@pytest.mark.django_db
def test_the_import_page_lists_recent_background_imports_once_below_the_form(admin_client_for):
    """Once, after the form; never inside the page's class attribute or its breadcrumb."""
    from scoring.models import RatingsImportJob

    client, user = admin_client_for(is_staff=True, is_superuser=True)
    RatingsImportJob.objects.create(file="imports/x.csv", file_name="wave-3.csv", file_size=10, uploaded_by=user)
    html = client.get(IMPORT_URL).content.decode()
    assert html.count("Recent background imports") == 1 and html.count("wave-3.csv") == 1
    assert html.index("Recent background imports") > html.index('enctype="multipart/form-data"')
    body_tag = html.split("<body", 1)[1].split(">", 1)[0]
    assert 'class=" app-scoring model-rating import-ratings"' in body_tag and "<h2" not in body_tag
