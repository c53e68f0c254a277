"""The large data set of ``manage.py seed_scale``: planned in Python, written with PostgreSQL COPY.

Everything is planned first from one seeded RNG (which ideas get how many votes and comments,
who rated what), so the denormalised counters are written with the rows they count and are
exact by construction; ``invariants`` checks them against the rows afterwards all the same.
Ids are given explicitly (from the table's current maximum), so rows can point at each other
before they are written; the sequences are moved past them at the end.

The derived values come from the project's own services, after the rows are in: opportunity
scores (``scores_recompute``), the ranking columns (``idea_ranks_refresh``) and the reputation
totals (``reputation_rebuild``).
"""

import datetime
import io
import json
import math
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import MENTOR_GROUP, TRIAGE_GROUP, User
from challenges.models import Challenge, Job, Outcome, Segment, SelectionCriterion
from ideas.models import Comment, Idea, IdeaFollow, IdeaVersion, Status, StatusChange, Vote
from ideas.services.ranking import idea_ranks_refresh
from reputation.models import Kind, ReputationEvent
from reputation.services import POINTS, STATUS_AWARDS, reputation_rebuild
from scoring.models import MEMBER_KEY_PREFIX, Rating, Respondent
from scoring.services.scores import scores_recompute
from scoring.services.waves import wave_current_for_job

# The password of every seeded member (one hash for all: hashing is the slow part).
PASSWORD = "scale-password"
STAFF_USERNAMES = {"admin": "scale-admin", "triage": "scale-triage", "mentor": "scale-mentor"}
DAYS = 180  # ideas spread over the last DAYS days
COPY_BATCH = 100_000  # rows per COPY statement
TRENDING_SHARE_OF_RECENT_VOTES = 0.15  # of the votes on ideas of challenges still voting, cast in the last 7 days


@dataclass(frozen=True)
class Sizes:
    users: int = 100_000
    challenges: int = 50
    ideas: int = 200_000
    votes: int = 2_000_000
    comments: int = 500_000
    ratings: int = 1_000_000


@dataclass
class Report:
    timings: list[tuple[str, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class Progress:
    """Plain progress lines on stderr: one per COPY batch, and one per step with its time."""

    def __init__(self, stream=None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.started = time.perf_counter()

    def line(self, text: str) -> None:
        if not self.quiet:
            self.stream.write(f"[{time.perf_counter() - self.started:7.1f} s] {text}\n")
            self.stream.flush()

    def rows(self, table: str, done: int, total: int) -> None:
        share = 100 * done / total if total else 100
        bar = "#" * int(share // 5)
        self.line(f"{table:<28} {bar:<20} {done:>10,}/{total:,} ({share:.0f}%)")


# ---------------------------------------------------------------- COPY


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        value = json.dumps(value)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _rest_of_row(model: type[models.Model], columns: list[str], now: datetime.datetime) -> tuple[list[str], str]:
    """The model's other columns and the constant text that fills them (their defaults).

    So a field added to a model later (with a default, or nullable) does not break the seed; a
    required field without a default does, with its name.
    """
    rest, values = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.column in columns or model_field.primary_key:
            continue
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            value = now
        elif model_field.has_default():
            value = model_field.get_default()
        elif model_field.null:
            value = None
        elif isinstance(model_field, models.CharField | models.TextField) and model_field.blank:
            value = ""
        else:
            raise RuntimeError(f"seed_scale does not know what to write in {model.__name__}.{model_field.name}.")
        rest.append(model_field.column)
        values.append(_copy_text(value))
    return rest, "".join("\t" + value for value in values)


def copy_rows(
    model: type[models.Model],
    columns: list[str],
    rows: Iterable[tuple],
    total: int,
    progress: Progress,
    now: datetime.datetime,
    table: str | None = None,
) -> int:
    """COPY rows (tuples in the order of ``columns``) into the model's table, in batches of COPY_BATCH."""
    table = table or model._meta.db_table
    rest, suffix = _rest_of_row(model, columns, now) if model is not None else ([], "")
    column_list = ", ".join(f'"{column}"' for column in [*columns, *rest])
    sql = f'COPY "{table}" ({column_list}) FROM STDIN'
    raw = connection.cursor().cursor  # psycopg2's own cursor: COPY is not in the DB-API
    written = 0
    buffer = io.StringIO()
    in_buffer = 0
    for row in rows:
        buffer.write("\t".join(_copy_text(value) for value in row))
        buffer.write(suffix)
        buffer.write("\n")
        in_buffer += 1
        if in_buffer == COPY_BATCH:
            buffer.seek(0)
            raw.copy_expert(sql, buffer)
            written += in_buffer
            progress.rows(table, written, total)
            buffer, in_buffer = io.StringIO(), 0
    if in_buffer:
        buffer.seek(0)
        raw.copy_expert(sql, buffer)
        written += in_buffer
        progress.rows(table, written, total)
    return written


def _next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
        return cursor.fetchone()[0]


def _sync_sequences(model_list: Iterable[type[models.Model]]) -> None:
    """Move each table's id sequence past the ids written explicitly."""
    with connection.cursor() as cursor:
        for model in model_list:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM \"{table}\"), 1))",
                [table],
            )


# ---------------------------------------------------------------- words


JOBS = [
    ("Plan the weekly shop", ["time to plan", "items forgotten", "budget overruns", "repeat orders by hand"]),
    ("Get groceries delivered", ["missed delivery slots", "damaged items", "late drivers", "wrong substitutions"]),
    ("Cook healthy meals", ["time to find recipes", "nutrition unknowns", "leftover waste", "shopping for recipes"]),
    ("Return an unwanted item", ["time to arrange a return", "refund delays", "packaging hassle", "proof of return"]),
    ("Share a household account", ["duplicate purchases", "who ordered what", "split payments", "permissions"]),
    ("Save money on essentials", ["missed discounts", "price changes unnoticed", "bulk-buy timing", "coupon hunting"]),
    ("Shop for a special diet", ["allergen doubts", "label reading time", "few suitable products", "cross-contact"]),
    ("Reduce packaging waste", ["plastic bags piling up", "no refill options", "recycling confusion", "bulky boxes"]),
    ("Feed a baby", ["running out of formula", "age-suitable products", "night-time orders", "stock tracking"]),
    ("Order for an elderly parent", ["remote ordering", "payment for someone else", "easy reordering", "check-ins"]),
    ("Host a dinner party", ["quantities for guests", "last-minute items", "wine pairing", "timing deliveries"]),
    ("Care for a pet", ["pet food running out", "vet diet products", "heavy bags", "treat variety"]),
]
SEGMENTS = ["Weekly shoppers", "Occasional shoppers", "Former customers", "Non-customers"]
VERBS = [
    "Add", "Let me", "Offer", "Show", "Remember", "Suggest", "Bundle", "Schedule", "Simplify", "Track",
    "Share", "Reward", "Warn about", "Group", "Compare", "Automate", "Personalise", "Label", "Reuse", "Split",
]  # fmt: skip
OBJECTS = [
    "delivery slots", "substitutions", "the basket", "recipes", "refunds", "price drops", "allergens",
    "refill stations", "reusable crates", "family lists", "favourite products", "receipts", "loyalty points",
    "driver updates", "pet food", "baby formula", "party packs", "budgets", "returns", "packaging",
    "frozen goods", "fresh produce", "meal kits", "subscriptions", "pickup lockers",
]  # fmt: skip
QUALIFIERS = [
    "for busy parents", "on the app", "by voice", "every week", "before checkout", "with one tap",
    "for neighbours", "at the door", "in the evening", "without an account", "for seniors",
    "near me", "in bulk", "for students", "with reminders", "offline", "by email", "for teams",
]  # fmt: skip
PROBLEM_SENTENCES = [
    "Every week I lose time because {o} are hard to manage.",
    "When {o} go wrong I have to call support, which takes ages.",
    "My family keeps forgetting about {o} until it is too late.",
    "Comparing {o} across shops is tedious and I give up.",
    "I never know what happens with {o} after I order.",
    "Older relatives find {o} confusing on a small screen.",
    "Handling {o} at the end of a long day is stressful.",
    "We waste money because {o} are not visible when we plan.",
]
SOLUTION_SENTENCES = [
    "{v} {o} {q}, so it takes seconds instead of minutes.",
    "A small panel could {v2} {o} right where I plan the order.",
    "Send a short reminder about {o} a day before delivery.",
    "Let households pick a default for {o} once and reuse it.",
    "Drivers could confirm {o} with a photo at the door.",
    "A weekly summary of {o} would help us plan and save.",
    "Pilot it in one city first and measure repeat orders.",
    "Partner with local shops so {o} are available sooner.",
]
COMMENT_SENTENCES = [
    "Great idea, I would use this every week.",
    "This happened to me last month too.",
    "Could this also work for {o}?",
    "Not sure it is worth the extra cost.",
    "We tried something similar and it helped a lot.",
    "Please keep it simple for older users.",
    "How would this work with subscriptions?",
    "Yes! {o} are my biggest annoyance.",
    "I would pay a small fee for this.",
    "What about people without a smartphone?",
]
REASONS = {
    Status.DECLINED: "It does not address the challenge's outcomes closely enough.",
    Status.NOT_SELECTED: "A strong idea, but others scored higher on the published criteria.",
    Status.DUPLICATE: "This idea is very close to an earlier one: we merged them.",
    Status.IMPLEMENTED: "Shipped to all customers this quarter: thank you!",
    Status.WITHDRAWN: "The author withdrew it.",
}

# Idea statuses by the phase of their challenge (weights).
FUNNEL = {
    Challenge.Phase.OPEN: {"submitted": 80, "declined": 8, "duplicate": 3, "draft": 6, "withdrawn": 3},
    Challenge.Phase.REVIEW: {
        "submitted": 35, "shortlisted": 15, "declined": 35, "duplicate": 5, "draft": 5, "withdrawn": 5,
    },
    Challenge.Phase.MENTORING: {
        "submitted": 3, "shortlisted": 4, "in_mentoring": 10, "declined": 55, "not_selected": 15,
        "duplicate": 5, "draft": 4, "withdrawn": 4,
    },
    Challenge.Phase.FINAL: {
        "submitted": 1, "finalist": 3, "in_mentoring": 2, "declined": 60, "not_selected": 22,
        "duplicate": 5, "draft": 3, "withdrawn": 4,
    },
    Challenge.Phase.CLOSED: {
        "winner": 0.3, "in_progress": 1, "implemented": 1, "declined": 62, "not_selected": 24,
        "duplicate": 5, "draft": 3, "withdrawn": 3.7,
    },
}  # fmt: skip
# Challenge phases, in the share of challenges in each (the rest of the weight: draft).
PHASE_SHARE = [
    ("draft", 0.06),
    ("open", 0.30),
    ("review", 0.20),
    ("mentoring", 0.14),
    ("final", 0.10),
    ("closed", 0.20),
]


# ---------------------------------------------------------------- plan


@dataclass
class ChallengePlan:
    id: int
    phase: str
    outcome_ids: list[int]
    opens: datetime.datetime
    voting_ends: datetime.datetime
    invite_only: bool
    invited: list[int] = field(default_factory=list)


@dataclass
class IdeaPlan:
    id: int
    challenge: ChallengePlan
    author: int
    status: str
    created: datetime.datetime
    submitted: datetime.datetime | None
    decided: datetime.datetime | None
    duplicate_of: int | None
    outcome_ids: list[int]
    title: str
    problem: str
    solution: str
    votes: int = 0
    up: int = 0
    comments: int = 0
    hidden_comments: int = 0


def _zipf_counts(rng: random.Random, total: int, slots: int, exponent: float, cap: int) -> list[int]:
    """``total`` split over ``slots`` in proportion to 1/rank^exponent (ranks shuffled), none above ``cap``."""
    if slots == 0 or total == 0:
        return [0] * slots
    if total > slots * cap:
        raise ValueError(f"Cannot place {total:,} rows on {slots:,} items of at most {cap:,} each.")
    weights = [1 / (rank**exponent) for rank in range(1, slots + 1)]
    rng.shuffle(weights)
    scale = total / sum(weights)
    counts = [min(cap, int(weight * scale)) for weight in weights]
    missing = total - sum(counts)
    # Hand out what rounding and the cap left, one at a time, to random items with room.
    while missing > 0:
        index = rng.randrange(slots)
        if counts[index] < cap:
            step = min(cap - counts[index], max(1, missing // slots), missing)
            counts[index] += step
            missing -= step
    return counts


def _title(rng: random.Random) -> tuple[str, str]:
    obj = rng.choice(OBJECTS)
    return f"{rng.choice(VERBS)} {obj} {rng.choice(QUALIFIERS)}"[:120], obj


def _text(rng: random.Random, pool: list[str], obj: str, sentences: tuple[int, int]) -> str:
    parts = [
        rng.choice(pool).format(
            o=obj if rng.random() < 0.6 else rng.choice(OBJECTS),
            v=rng.choice(VERBS),
            v2=rng.choice(VERBS).lower(),
            q=rng.choice(QUALIFIERS),
        )
        for _ in range(rng.randint(*sentences))
    ]
    middle = len(parts) // 2
    return " ".join(parts[:middle]) + ("\n\n" if middle else "") + " ".join(parts[middle:])


class ScaleSeeder:
    def __init__(self, sizes: Sizes, seed: int, progress: Progress):
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.progress = progress
        self.now = timezone.now()
        self.report = Report()

    def step(self, name: str, function, *args):
        started = time.perf_counter()
        self.progress.line(f"{name} ...")
        result = function(*args)
        elapsed = time.perf_counter() - started
        self.report.timings.append((name, elapsed))
        self.progress.line(f"{name}: done in {elapsed:.1f} s")
        return result

    def run(self) -> Report:
        with transaction.atomic():
            self.step("reference data (jobs, outcomes, segments, challenges)", self.reference_data)
            self.step("members", self.members)
            self.step("plan ideas, votes and comments", self.plan_ideas)
            self.step("ideas, outcomes, versions, follows, status changes", self.write_ideas)
            self.step("votes", self.write_votes)
            self.step("comments", self.write_comments)
            self.step("respondents and ratings", self.write_ratings)
            self.step("reputation events", self.reputation_events)
            _sync_sequences(
                [User, Idea, Idea.outcomes.through, IdeaVersion, IdeaFollow, StatusChange, Vote, Comment]
                + [Respondent, Rating]
            )
            self.progress.line("commit (PostgreSQL checks the deferred foreign keys now) ...")
            committing = time.perf_counter()
        self.report.timings.append(("commit (deferred foreign-key checks)", time.perf_counter() - committing))
        self.step("ANALYZE (before the derived values)", analyze)
        self.step("opportunity scores (scoring.services.scores_recompute)", scores_recompute)
        self.step("ranking columns (ideas.services.ranking.idea_ranks_refresh)", self.ranks)
        self.step("reputation totals (reputation.services.reputation_rebuild)", reputation_rebuild)
        self.step("ANALYZE", analyze)
        return self.report

    # -- reference data: small, through the ORM

    def reference_data(self) -> None:
        rng = self.rng
        today = self.now.date()
        self.segment_ids = [Segment.objects.get_or_create(name=name)[0].pk for name in SEGMENTS]
        self.job_outcomes: list[list[int]] = []
        self.outcome_mood: dict[int, tuple[float, float]] = {}
        for job_number, (name, pains) in enumerate(JOBS):
            job, _ = Job.objects.get_or_create(
                name=name,
                defaults={"kind": rng.choice(list(Job.Kind)), "description": f"Customers who {name.lower()}."},
            )
            ids = []
            for pain_number, pain in enumerate(pains):
                for verb_number, verb in enumerate(["Minimise", "Reduce the likelihood of"]):
                    outcome, _ = Outcome.objects.get_or_create(
                        code=f"S{job_number:02d}-{pain_number}{verb_number}",
                        defaults={"job": job, "statement": f"{verb} {pain} when I {name.lower()}"},
                    )
                    ids.append(outcome.pk)
                    # Each outcome's typical answers: important and poorly satisfied ones are the sweet spot.
                    self.outcome_mood[outcome.pk] = (rng.uniform(2.2, 4.7), rng.uniform(1.6, 4.4))
            self.job_outcomes.append(ids)
        all_outcomes = [pk for ids in self.job_outcomes for pk in ids]

        phases = []
        for phase, share in PHASE_SHARE:
            phases += [phase] * round(share * self.sizes.challenges)
        phases = (phases + ["open"] * self.sizes.challenges)[: self.sizes.challenges]
        self.challenges: list[ChallengePlan] = []
        start_id = _next_id(Challenge)
        for number, phase in enumerate(phases):
            # Older phases opened longer ago; every non-draft challenge opened within the last DAYS days.
            index = Challenge.PHASE_ORDER.index(phase)
            opened_days_ago = max(20, min(DAYS, int(index * DAYS / 5 + rng.uniform(-15, 15))))
            opens = today - datetime.timedelta(days=opened_days_ago)
            span = opened_days_ago / max(index, 1)
            dates = [opens + datetime.timedelta(days=int(step * span * 0.9)) for step in range(5)]
            # Phases not reached yet start in the future, 30 days apart.
            for step in range(5):
                if step >= index:
                    dates[step] = today + datetime.timedelta(days=30 * (step - index + 1) - 15)
            if phase == "draft":
                dates = [today + datetime.timedelta(days=30 * (step + 1)) for step in range(5)]
            dates = sorted(dates)
            job_ids = rng.sample(range(len(self.job_outcomes)), 2)
            outcome_ids = rng.sample(self.job_outcomes[job_ids[0]], 3) + rng.sample(self.job_outcomes[job_ids[1]], 2)
            invite_only = number % 17 == 16
            theme = JOBS[job_ids[0]][0]
            challenge = Challenge.objects.create(
                title=f"How might we help customers {theme.lower()}? ({number + 1})",
                slug=f"scale-{start_id + number}",
                brief=f"Tell us how we could help you **{theme.lower()}** better.",
                business_context="We deliver in 40 cities from 12 warehouses; ideas that need new warehouses are out.",
                prize="A year of free deliveries",
                phase=phase,
                visibility=Challenge.Visibility.INVITE_ONLY if invite_only else Challenge.Visibility.PUBLIC,
                opens_at=dates[0],
                review_starts_at=dates[1],
                mentoring_starts_at=dates[2],
                final_starts_at=dates[3],
                closes_at=dates[4],
                publish_scores=number % 3 == 0,
            )
            challenge.outcomes.set(outcome_ids)
            SelectionCriterion.objects.bulk_create(
                SelectionCriterion(challenge=challenge, name=name, description=text, weight=weight, position=pos)
                for pos, (name, text, weight) in enumerate(SelectionCriterion.DEFAULTS)
            )
            aware = timezone.make_aware(datetime.datetime.combine(dates[0], datetime.time(9)))
            voting_ends = min(self.now, timezone.make_aware(datetime.datetime.combine(dates[2], datetime.time(9))))
            self.challenges.append(ChallengePlan(challenge.pk, phase, outcome_ids, aware, voting_ends, invite_only))
        self.all_outcomes = all_outcomes

    # -- members

    def members(self) -> None:
        sizes, rng = self.sizes, self.rng
        password = make_password(PASSWORD)
        self.first_user = _next_id(User)
        first = self.first_user
        joined_start = self.now - datetime.timedelta(days=DAYS + 200)

        def rows() -> Iterator[tuple]:
            for n in range(sizes.users):
                joined = joined_start + datetime.timedelta(seconds=rng.uniform(0, (DAYS + 200) * 86400))
                display = f"Member {n}" if n % 4 == 0 else ""
                yield (first + n, password, False, f"member{first + n}", f"member{first + n}@example.com",
                       False, True, joined, display)  # fmt: skip

        columns = ["id", "password", "is_superuser", "username", "email", "is_staff", "is_active", "date_joined"]
        copy_rows(User, [*columns, "display_name"], rows(), sizes.users, self.progress, self.now)
        self.user_ids = range(first, first + sizes.users)
        _sync_sequences([User])  # the staff below are created through the ORM
        try:
            from allauth.account.models import EmailAddress

            copy_rows(
                EmailAddress,
                ["user_id", "email", "verified", "primary"],
                ((pk, f"member{pk}@example.com", True, True) for pk in self.user_ids),
                sizes.users,
                self.progress,
                self.now,
            )
        except ImportError:  # pragma: no cover - allauth is installed
            pass
        # Staff: an admin, a triage member, mentors (through the ORM: few rows, groups).
        triage_group, _ = Group.objects.get_or_create(name=TRIAGE_GROUP)
        mentor_group, _ = Group.objects.get_or_create(name=MENTOR_GROUP)
        admin = User.objects.create(
            username=STAFF_USERNAMES["admin"], email="scale-admin@example.com", password=password,
            is_staff=True, is_superuser=True, display_name="Scale admin",
        )  # fmt: skip
        triage = User.objects.create(
            username=STAFF_USERNAMES["triage"], email="scale-triage@example.com", password=password,
            is_staff=True, display_name="Scale triage",
        )  # fmt: skip
        triage.groups.add(triage_group)
        mentors = [
            User.objects.create(
                username=f"{STAFF_USERNAMES['mentor']}-{n}", email=f"scale-mentor-{n}@example.com", password=password
            )
            for n in range(3)
        ]
        for mentor in mentors:
            mentor.groups.add(mentor_group)
        self.staff_id = triage.pk
        self.admin_id = admin.pk
        # Invite-only challenges invite a few hundred members each.
        through = Challenge.invited_members.through
        for plan in self.challenges:
            if plan.invite_only:
                invited = rng.sample(self.user_ids, min(300, sizes.users))
                through.objects.bulk_create([through(challenge_id=plan.id, user_id=pk) for pk in invited])
                plan.invited = invited

    def _author(self) -> int:
        # Skewed: a few members write many ideas (the emergent customers), most write one or none.
        return self.user_ids[int(len(self.user_ids) * self.rng.random() ** 2.5)]

    # -- ideas

    def plan_ideas(self) -> None:
        sizes, rng = self.sizes, self.rng
        live = [plan for plan in self.challenges if plan.phase != "draft"]
        if not live and sizes.ideas:
            raise ValueError("Every challenge is a draft: give at least 2 challenges so some take ideas.")
        # Older challenges had longer to collect ideas.
        weights = [(self.now - plan.opens).days + 10 for plan in live]
        plans: list[IdeaPlan] = []
        for _ in range(sizes.ideas):
            challenge = rng.choices(live, weights)[0]
            funnel = FUNNEL[challenge.phase]
            status = rng.choices(list(funnel), list(funnel.values()))[0]
            window_end = min(self.now, challenge.voting_ends) if challenge.phase != "open" else self.now
            window = max(3600.0, (window_end - challenge.opens).total_seconds())
            moment = challenge.opens + datetime.timedelta(seconds=rng.uniform(0, window))
            moment = min(moment, self.now - datetime.timedelta(minutes=5))
            author = self._author()
            if challenge.invite_only:
                author = rng.choice(challenge.invited)
            title, obj = _title(rng)
            plans.append(
                IdeaPlan(
                    id=0,
                    challenge=challenge,
                    author=author,
                    status=status,
                    created=moment - datetime.timedelta(minutes=rng.randint(5, 600)),
                    submitted=None if status == "draft" else moment,
                    decided=None,
                    duplicate_of=None,
                    outcome_ids=rng.sample(challenge.outcome_ids, rng.randint(1, 3)),
                    title=title,
                    problem=_text(rng, PROBLEM_SENTENCES, obj, (2, 4)),
                    solution=_text(rng, SOLUTION_SENTENCES, obj, (2, 5)),
                )
            )
        # Ids in the order the ideas were written, as in production.
        plans.sort(key=lambda plan: plan.created)
        first = _next_id(Idea)
        earliest_by_challenge: dict[int, list[int]] = {}
        for offset, plan in enumerate(plans):
            plan.id = first + offset
            if plan.status not in {"draft", "withdrawn", "submitted"}:
                plan.decided = min(
                    self.now - datetime.timedelta(minutes=1),
                    plan.submitted + datetime.timedelta(days=rng.uniform(0.5, 25)),
                )
            if plan.status == "withdrawn":
                plan.decided = None
                plan.submitted = plan.created + datetime.timedelta(minutes=1)
            candidates = earliest_by_challenge.setdefault(plan.challenge.id, [])
            if plan.status == "duplicate":
                if candidates:
                    plan.duplicate_of = rng.choice(candidates)
                else:
                    plan.status, plan.decided = "submitted", None
            elif plan.status not in {"draft", "withdrawn"} and len(candidates) < 500:
                candidates.append(plan.id)
        self.ideas = plans

        # Votes: Zipf-like over the ideas that can hold votes (merged duplicates' votes moved away).
        voteable = [plan for plan in plans if plan.status not in {"draft", "duplicate"}]
        if sizes.votes and not voteable:
            raise ValueError("No idea can take votes: give more ideas.")
        counts = _zipf_counts(rng, sizes.votes, len(voteable), 0.75, len(self.user_ids) - 1)
        for plan, count in zip(voteable, counts, strict=True):
            if plan.challenge.invite_only:
                count = min(count, len(plan.challenge.invited) - 1)
            plan.votes = count
            plan.up = round(count * rng.uniform(0.55, 0.97))
        placed = sum(plan.votes for plan in voteable)
        # Invite-only challenges may have refused some votes: move them to public ideas.
        public = [plan for plan in voteable if not plan.challenge.invite_only]
        while placed < sizes.votes:
            plan = rng.choice(public)
            if plan.votes < len(self.user_ids) - 1:
                plan.votes += 1
                plan.up += 1
                placed += 1
        # Comments: more where there are more votes.
        commentable = [plan for plan in plans if plan.status != "draft"]
        comment_counts = _zipf_counts(rng, sizes.comments, len(commentable), 0.6, 10**9)
        commentable.sort(key=lambda plan: -plan.votes)
        comment_counts.sort(reverse=True)
        for plan, count in zip(commentable, comment_counts, strict=True):
            plan.comments = count
            plan.hidden_comments = sum(1 for _ in range(count) if rng.random() < 0.03)

    def write_ideas(self) -> None:
        ideas, total = self.ideas, len(self.ideas)
        rows = (
            (plan.id, plan.challenge.id, plan.author, plan.title, plan.problem, plan.solution, plan.status,
             plan.duplicate_of, plan.up, plan.votes - plan.up, plan.comments - plan.hidden_comments,
             plan.created, plan.decided or plan.submitted or plan.created, plan.submitted, plan.decided)
            for plan in ideas
        )  # fmt: skip
        columns = ["id", "challenge_id", "author_id", "title", "problem", "solution", "status", "duplicate_of_id"]
        columns += ["votes_up", "votes_down", "comments_count", "created_at", "updated_at", "submitted_at"]
        copy_rows(Idea, [*columns, "decided_at"], rows, total, self.progress, self.now)
        through = Idea.outcomes.through
        first = _next_id(through)
        links = [(plan.id, outcome_id) for plan in ideas for outcome_id in plan.outcome_ids]
        copy_rows(
            through,
            ["id", "idea_id", "outcome_id"],
            ((first + n, idea_id, outcome_id) for n, (idea_id, outcome_id) in enumerate(links)),
            len(links),
            self.progress,
            self.now,
        )
        codes = dict(Outcome.objects.values_list("pk", "code"))
        copy_rows(
            IdeaVersion,
            ["idea_id", "number", "title", "problem", "solution", "outcome_codes", "saved_by_id", "created_at"],
            (
                (
                    plan.id,
                    1,
                    plan.title,
                    plan.problem,
                    plan.solution,
                    sorted(codes[o] for o in plan.outcome_ids),
                    plan.author,
                    plan.created,
                )
                for plan in ideas
            ),  # fmt: skip
            total,
            self.progress,
            self.now,
        )
        copy_rows(
            IdeaFollow,
            ["idea_id", "user_id", "created_at"],
            ((plan.id, plan.author, plan.created) for plan in ideas),
            total,
            self.progress,
            self.now,
        )
        changes = [plan for plan in ideas if plan.status not in {"draft", "submitted"}]
        copy_rows(
            StatusChange,
            ["idea_id", "from_status", "to_status", "changed_by_id", "reason", "created_at"],
            (
                (
                    plan.id,
                    "submitted",
                    plan.status,
                    plan.author if plan.status == "withdrawn" else self.staff_id,
                    REASONS.get(plan.status, "Thank you: this idea moves on to the next step."),
                    plan.decided or plan.submitted,
                )
                for plan in changes
            ),  # fmt: skip
            len(changes),
            self.progress,
            self.now,
        )

    def write_votes(self) -> None:
        rng, users = self.rng, self.user_ids
        recent = self.now - datetime.timedelta(days=7)

        def rows() -> Iterator[tuple]:
            for plan in self.ideas:
                if not plan.votes:
                    continue
                pool = plan.challenge.invited if plan.challenge.invite_only else users
                voters = rng.sample(pool, plan.votes + 1)
                if plan.author in voters:
                    voters.remove(plan.author)
                start = plan.submitted
                end = max(start + datetime.timedelta(minutes=10), plan.challenge.voting_ends)
                span = (end - start).total_seconds()
                still_voting = plan.challenge.phase in {"open", "review"}
                for index, user_id in enumerate(voters[: plan.votes]):
                    if still_voting and end > recent and rng.random() < TRENDING_SHARE_OF_RECENT_VOTES:
                        when = max(start, recent) + datetime.timedelta(seconds=rng.uniform(0, 7 * 86400))
                        when = min(when, self.now)
                    else:
                        when = start + datetime.timedelta(seconds=span * rng.random() ** 1.5)
                    yield plan.id, user_id, 1 if index < plan.up else -1, when, when

        copy_rows(
            Vote,
            ["idea_id", "user_id", "value", "created_at", "updated_at"],
            rows(),
            self.sizes.votes,
            self.progress,
            self.now,
        )

    def write_comments(self) -> None:
        rng = self.rng
        first = _next_id(Comment)
        next_id = [first]

        def rows() -> Iterator[tuple]:
            for plan in self.ideas:
                if not plan.comments:
                    continue
                hidden = set(rng.sample(range(plan.comments), plan.hidden_comments))
                span = max(600.0, (self.now - plan.submitted).total_seconds())
                moments = sorted(rng.random() ** 1.3 * span for _ in range(plan.comments))
                top_level: list[int] = []
                for index, offset in enumerate(moments):
                    comment_id = next_id[0]
                    next_id[0] += 1
                    when = plan.submitted + datetime.timedelta(seconds=offset)
                    parent = rng.choice(top_level) if top_level and rng.random() < 0.3 else None
                    if parent is None:
                        top_level.append(comment_id)
                    author = self._author()
                    if plan.challenge.invite_only:
                        author = rng.choice(plan.challenge.invited)
                    body = " ".join(
                        rng.choice(COMMENT_SENTENCES).format(o=rng.choice(OBJECTS)) for _ in range(rng.randint(1, 3))
                    )
                    removed = hidden_at = hidden_by = None
                    reason = ""
                    if index in hidden:
                        if rng.random() < 0.6:
                            removed = when + datetime.timedelta(hours=1)
                        else:
                            hidden_at, hidden_by, reason = (
                                when + datetime.timedelta(hours=2),
                                self.staff_id,
                                "Off topic.",
                            )
                    yield (comment_id, plan.id, author, parent, body, when, when, removed, hidden_at, hidden_by,
                           reason)  # fmt: skip

        columns = ["id", "idea_id", "author_id", "parent_id", "body", "created_at", "updated_at", "removed_at"]
        copy_rows(
            Comment,
            [*columns, "hidden_at", "hidden_by_id", "hidden_reason"],
            rows(),
            self.sizes.comments,
            self.progress,
            self.now,
        )

    # -- ratings

    def write_ratings(self) -> None:
        sizes, rng = self.sizes, self.rng
        if not sizes.ratings:
            return
        outcomes_total = len(self.all_outcomes)
        per_respondent = max(math.ceil(sizes.ratings / len(self.user_ids)), 10)
        per_respondent = min(per_respondent, outcomes_total)
        respondents = math.ceil(sizes.ratings / per_respondent)
        if respondents > len(self.user_ids):
            raise ValueError(f"{sizes.ratings:,} ratings need more members: each rates at most {outcomes_total}.")
        first = _next_id(Respondent)
        members = rng.sample(self.user_ids, respondents)
        segment_of = [rng.choice(self.segment_ids) for _ in members]
        copy_rows(
            Respondent,
            ["id", "key", "user_id", "segment_id", "created_at"],
            (
                (first + n, f"{MEMBER_KEY_PREFIX}{user_id}", user_id, segment_of[n], self.now)
                for n, user_id in enumerate(members)
            ),
            respondents,
            self.progress,
            self.now,
        )
        segment_shift = {pk: rng.uniform(-0.4, 0.4) for pk in self.segment_ids}
        # Each job's ratings go into its open survey round (opened here: the jobs are new).
        job_of = dict(Outcome.objects.filter(pk__in=self.all_outcomes).values_list("pk", "job_id"))
        wave_of_job = {job_id: wave_current_for_job(job=Job(pk=job_id)).pk for job_id in set(job_of.values())}
        wave_of = {outcome_id: wave_of_job[job_id] for outcome_id, job_id in job_of.items()}

        def rows() -> Iterator[tuple]:
            remaining = sizes.ratings
            for n in range(respondents):
                quota = min(per_respondent, remaining)
                remaining -= quota
                chosen: list[int] = []
                for job in rng.sample(self.job_outcomes, len(self.job_outcomes)):
                    chosen += job[: quota - len(chosen)]
                    if len(chosen) == quota:
                        break
                shift = segment_shift[segment_of[n]]
                for outcome_id in chosen:
                    importance, satisfaction = self.outcome_mood[outcome_id]
                    yield (
                        first + n,
                        outcome_id,
                        wave_of[outcome_id],
                        min(5, max(1, round(rng.gauss(importance + shift, 1.0)))),
                        min(5, max(1, round(rng.gauss(satisfaction - shift, 1.0)))),
                        self.now,
                    )

        copy_rows(
            Rating,
            ["respondent_id", "outcome_id", "wave_id", "importance", "satisfaction", "updated_at"],
            rows(),
            sizes.ratings,
            self.progress,
            self.now,
        )

    # -- reputation: the ledger events the services would have awarded, in SQL

    def reputation_events(self) -> None:
        table, idea_table = ReputationEvent._meta.db_table, Idea._meta.db_table
        first_idea = self.ideas[0].id if self.ideas else 0
        status_cases = " ".join(f"WHEN '{status}' THEN '{kind}'" for status, kind in STATUS_AWARDS.items())
        point_cases = " ".join(f"WHEN '{kind}' THEN {points}" for kind, points in POINTS.items())
        # The challenge of the award, where the ledger keeps it (per-challenge leaderboards).
        has_challenge = any(f.column == "challenge_id" for f in ReputationEvent._meta.concrete_fields)
        extra_column, extra_value = (", challenge_id", ", challenge_id") if has_challenge else ("", "")
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO "{table}" (user_id, kind, object_key, points, created_at{extra_column})
                    SELECT author_id, %s, 'idea:' || id, %s, submitted_at{extra_value} FROM "{idea_table}"
                    WHERE id >= %s AND submitted_at IS NOT NULL AND status <> 'withdrawn'""",
                [Kind.IDEA_SUBMITTED, POINTS[Kind.IDEA_SUBMITTED], first_idea],
            )
            cursor.execute(
                f"""INSERT INTO "{table}" (user_id, kind, object_key, points, created_at{extra_column})
                    SELECT author_id, kind, 'idea:' || id, CASE kind {point_cases} END, decided_at{extra_value}
                    FROM (SELECT *, CASE status {status_cases} END AS kind FROM "{idea_table}" WHERE id >= %s) awarded
                    WHERE kind IS NOT NULL""",
                [first_idea],
            )

    def ranks(self) -> int:
        ids = [plan.id for plan in self.ideas]
        done = 0
        step = 20_000
        for start in range(0, len(ids), step):
            done += idea_ranks_refresh(idea_ids=ids[start : start + step])
            self.progress.rows("ranks refreshed", done, len(ids))
        return done


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# ---------------------------------------------------------------- checks


INVARIANTS = {
    "ideas whose vote counters differ from their votes": """
        SELECT COUNT(*) FROM ideas_idea i
        LEFT JOIN (SELECT idea_id, COUNT(*) FILTER (WHERE value = 1) AS up, COUNT(*) FILTER (WHERE value = -1) AS down
                   FROM ideas_vote GROUP BY idea_id) v ON v.idea_id = i.id
        WHERE i.votes_up <> COALESCE(v.up, 0) OR i.votes_down <> COALESCE(v.down, 0)""",
    "ideas whose comments_count differs from their shown comments": """
        SELECT COUNT(*) FROM ideas_idea i
        LEFT JOIN (SELECT idea_id, COUNT(*) AS n FROM ideas_comment
                   WHERE removed_at IS NULL AND hidden_at IS NULL GROUP BY idea_id) c ON c.idea_id = i.id
        WHERE i.comments_count <> COALESCE(c.n, 0)""",
    "comments whose kudos or flag counters differ from their rows": """
        SELECT COUNT(*) FROM ideas_comment c
        WHERE c.kudos_count <> (SELECT COUNT(*) FROM ideas_kudos k WHERE k.comment_id = c.id)
           OR c.flags_count <> (SELECT COUNT(*) FROM ideas_commentflag f WHERE f.comment_id = c.id)""",
    "ideas never ranked": "SELECT COUNT(*) FROM ideas_idea WHERE ranked_at IS NULL",
    "votes on one's own idea": """
        SELECT COUNT(*) FROM ideas_vote v JOIN ideas_idea i ON i.id = v.idea_id WHERE v.user_id = i.author_id""",
    "replies to a comment of another idea": """
        SELECT COUNT(*) FROM ideas_comment c JOIN ideas_comment p ON p.id = c.parent_id WHERE p.idea_id <> c.idea_id""",
}


def invariants() -> dict[str, int]:
    """Each invariant's number of violating rows (all 0 when the data set is consistent)."""
    results = {}
    with connection.cursor() as cursor:
        for name, sql in INVARIANTS.items():
            cursor.execute(sql)
            results[name] = cursor.fetchone()[0]
    return results


def table_counts() -> dict[str, int]:
    counted = {
        "users": User,
        "challenges": Challenge,
        "ideas": Idea,
        "votes": Vote,
        "comments": Comment,
        "ratings": Rating,
        "respondents": Respondent,
    }
    return {name: model.objects.count() for name, model in counted.items()}
