import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import MENTOR_GROUP, TRIAGE_GROUP, User
from challenges.models import Challenge, Job, Outcome, Segment
from ideas.models import Comment, Idea, Status, Vote

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        if create:
            user.save()
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class TriageFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def group(user, create, extracted, **kwargs):
        if create:
            user.groups.add(triage_group())


def triage_group() -> Group:
    """The Triage group with the permissions its data migration gives it. A transactional test
    flushes the tables, data-migration rows included, so a test that needs the group asks here
    instead of assuming the migration's row is still there (tests pass in any order)."""
    group, created = Group.objects.get_or_create(name=TRIAGE_GROUP)
    if created:
        group.permissions.add(*_triage_permissions())
    return group


def _triage_permissions():
    """The permissions accounts/0002_roles and 0003 give the Triage group."""
    import importlib

    from django.contrib.auth.models import Permission
    from django.db.models import Q

    wanted = Q(content_type__app_label="scoring", codename="import_ratings")
    for app_label, models in importlib.import_module("accounts.migrations.0002_roles").TRIAGE_PERMISSIONS.items():
        for model, actions in models.items():
            wanted |= Q(content_type__app_label=app_label, codename__in=[f"{action}_{model}" for action in actions])
    return Permission.objects.filter(wanted)


class MentorFactory(UserFactory):
    @factory.post_generation
    def group(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get_or_create(name=MENTOR_GROUP)[0])


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    name = factory.Sequence(lambda n: f"Plan the weekly shop {n}")
    kind = Job.Kind.FUNCTIONAL


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    job = factory.SubFactory(JobFactory)
    code = factory.Sequence(lambda n: f"OUT-{n:03d}")
    statement = factory.Sequence(lambda n: f"Minimise the time it takes to do step {n}")


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment
        django_get_or_create = ["name"]

    name = "Customers"


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"How could delivery be easier? ({n})")
    slug = factory.Sequence(lambda n: f"challenge-{n}")
    brief = "How could we make **receiving a delivery** easier?"
    business_context = "We run our own vans in three cities."
    prize = "A year of free deliveries"
    phase = Challenge.Phase.OPEN
    opens_at = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    review_starts_at = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=20))

    @factory.post_generation
    def outcomes(challenge, create, extracted, **kwargs):
        if create:
            challenge.outcomes.set(extracted if extracted is not None else [OutcomeFactory(), OutcomeFactory()])


class IdeaFactory(factory.django.DjangoModelFactory):
    """An idea created directly (not through the service), for setting up any status."""

    class Meta:
        model = Idea
        skip_postgeneration_save = True

    challenge = factory.SubFactory(ChallengeFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Delivery lockers at stations {n}")
    problem = "Nobody is home when the van comes, so the groceries go back."
    solution = "Put temperature-controlled lockers at train stations."
    status = Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def outcomes(idea, create, extracted, **kwargs):
        if create:
            idea.outcomes.set(extracted if extracted is not None else idea.challenge.outcomes.all()[:1])


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    idea = factory.SubFactory(IdeaFactory)
    user = factory.SubFactory(UserFactory)
    value = Vote.Value.UP


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    idea = factory.SubFactory(IdeaFactory)
    author = factory.SubFactory(UserFactory)
    body = "I would use this every week."


def round_of(outcome):
    """The open survey round of the outcome's job (opened on first use), where test ratings go."""
    from scoring.services.waves import wave_current_for_job

    return wave_current_for_job(job=outcome.job)
