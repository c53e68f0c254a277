"""Known data sets for demand against need and gaps: survey scores per segment built by construction
(ratings, then the real recompute), and members in segments who vote through the real service."""

from challenges.models import Segment
from ideas.services import vote_cast
from scoring.models import Respondent
from scoring.services.scores import scores_recompute
from tests import factories
from tests.test_landscape import rate


def scored_outcomes(job=None) -> dict:
    """Outcomes of one job with known scores, 30 respondents in each of two segments (60 overall):

    - NEED: importance 9, satisfaction 2 everywhere → opportunity 16 (extremely underserved);
    - MID: Customers 8/2 (14), Ex-customers 6/4 (8) → overall 7/3, 11 (underserved);
    - OVER: importance 3, satisfaction 8 everywhere → 3 (overserved);
    - FEW: 9/1 from 5 respondents (17, but too few to decide on);
    - NONE: no ratings.
    """
    job = job or factories.JobFactory(name="Get groceries home")
    customers = factories.SegmentFactory(name="Customers")
    lapsed = factories.SegmentFactory(name="Ex-customers")
    codes = {
        "NEED": "Minimise the time it takes to receive a delivery",
        "MID": "Minimise the chance that chilled goods warm up",
        "OVER": "Maximise the choice of delivery colours",
        "FEW": "Minimise the effort of returning crates",
        "NONE": "Minimise the noise of the van",
    }
    outcomes = {code: factories.OutcomeFactory(job=job, code=code, statement=text) for code, text in codes.items()}
    for segment in (customers, lapsed):
        rate(outcomes["NEED"], importance=9, satisfaction=2, respondents=30, segment=segment)
        rate(outcomes["OVER"], importance=3, satisfaction=8, respondents=30, segment=segment)
    rate(outcomes["MID"], importance=8, satisfaction=2, respondents=30, segment=customers)
    rate(outcomes["MID"], importance=6, satisfaction=4, respondents=30, segment=lapsed)
    rate(outcomes["FEW"], importance=9, satisfaction=1, respondents=5, segment=customers)
    scores_recompute()
    return {"job": job, "outcomes": outcomes, "segments": {"Customers": customers, "Ex-customers": lapsed}}


def member_in(segment: Segment | None, *, surveyed: bool = True, **fields):
    """A member whose survey answers put them in ``segment`` (None: answered, no segment; not surveyed: no answers)."""
    user = factories.UserFactory(**fields)
    if surveyed:
        Respondent.objects.create(key=f"member-{user.pk}", user=user, segment=segment)
    return user


def votes(idea, voters, value: int = 1) -> None:
    for voter in voters:
        vote_cast(user=voter, idea=idea, value=value)
