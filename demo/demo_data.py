"""The demo data set behind ``manage.py demo``: a fictional grocery-delivery company, FreshCart.

Plain functions, each idempotent: everything is keyed by a natural key (emails, job names,
outcome codes, segment names, respondent keys, challenge slugs, idea titles within a challenge),
so a second run creates nothing new. Ideas go through the product's own services
(``ideas.services``), so the funnel, vote counters and status history are what the portal
itself would have written; their dates are spread over the past weeks afterwards.
"""

import logging
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import MENTOR_GROUP, TRIAGE_GROUP
from challenges.models import Challenge, ChallengeQuestion, Job, Outcome, Segment, SelectionCriterion
from ideas.models import Comment, Idea, Status, StatusChange, Vote
from ideas.services import (
    TRANSITIONS,
    coauthor_accept,
    coauthor_invite,
    comment_create,
    idea_create,
    idea_status_change,
    idea_withdraw,
    vote_cast,
)
from impact.models import FollowUp
from impact.services import follow_up_schedule
from innovators.models import Questionnaire, QuestionnaireItem
from innovators.services import questionnaire_answer
from reviews.models import MentorAssignment
from reviews.services import mentoring
from scoring.models import Rating, Respondent
from scoring.services.scores import scores_recompute
from scoring.services.waves import wave_close, wave_current_for_job

COMPANY = "FreshCart"
DEMO_PASSWORD = "demo-pass-2026"
SEED = 42
RESPONDENTS = 200

# --- People -----------------------------------------------------------------------------------

# (role, short name, display name); the email is <short name>@example.com.
STAFF = [
    ("admin", "admin", "Sam Rivera"),
    ("triage", "triage", "Priya Shah (FreshCart Ideas team)"),
    # A second screener, so scorecards come in pairs and the queue's screening column shows two.
    ("triage", "screener", "Tom Lindqvist (FreshCart Ideas team)"),
    ("mentor", "mentor", "Marcus Webb"),
]
CUSTOMERS = [
    ("alice", "Alice Moreau"),
    ("bob", "Bob Okafor"),
    ("carol", "Carol Jensen"),
    ("dan", "Dan Whitaker"),
    ("erin", "Erin Walsh"),
    ("farah", "Farah Haddad"),
    ("george", "George Papadopoulos"),
    ("hana", "Hana Kobayashi"),
    ("ivan", "Ivan Petrov"),
    ("julia", "Julia Santos"),
    ("kenji", "Kenji Mori"),
    ("leila", "Leila Ahmadi"),
]


def email_of(name: str) -> str:
    return f"{name}@example.com"


# --- Jobs, outcomes, segments -------------------------------------------------------------------

# (code, statement, mean importance, mean satisfaction): the means make some outcomes clearly
# underserved (important, poorly satisfied) and some overserved.
JOBS = [
    (
        "Plan and order the weekly shop",
        Job.Kind.FUNCTIONAL,
        "Deciding what the household needs for the week, within budget, and getting it ordered.",
        [
            ("PLAN-01", "Minimise the time it takes to build the weekly shopping list", 4.4, 2.8),
            ("PLAN-02", "Minimise the likelihood of forgetting an item the household needs that week", 4.3, 2.7),
            ("PLAN-03", "Minimise the time it takes to find products that suit everyone's dietary needs", 3.9, 3.0),
            ("PLAN-04", "Minimise the likelihood of going over the weekly food budget", 4.5, 2.6),
            ("PLAN-05", "Minimise the likelihood that a substituted item does not work for the planned meal", 4.0, 2.4),
            ("PLAN-06", "Minimise the time it takes to choose a delivery slot", 3.0, 4.4),
            ("PLAN-07", "Minimise the effort it takes to re-order the same staple items", 3.2, 4.5),
        ],
    ),
    (
        "Receive and put away a delivery",
        Job.Kind.FUNCTIONAL,
        "Being there for the delivery, checking it, and getting everything into the fridge and cupboards.",
        [
            ("RECV-01", "Minimise the time spent waiting at home for a delivery to arrive", 4.7, 2.3),
            (
                "RECV-02",
                "Minimise the likelihood that chilled or frozen items warm up before they are put away",
                4.2,
                3.1,
            ),
            ("RECV-03", "Minimise the time it takes to check the delivery against the order", 3.8, 2.7),
            ("RECV-04", "Minimise the likelihood of receiving fresh produce that spoils within a few days", 4.4, 2.6),
            ("RECV-05", "Minimise the effort it takes to get a refund for a missing or damaged item", 4.0, 3.0),
            ("RECV-06", "Minimise the effort it takes to get rid of bags and packaging after a delivery", 2.6, 3.9),
        ],
    ),
]

# (name, description, share of respondents, satisfaction shift)
SEGMENTS = [
    ("Customers", "People who ordered from FreshCart in the last three months.", 0.6, 0.0),
    ("Lapsed customers", "People who ordered before but not in the last six months.", 0.22, -0.5),
    ("Non-customers", "People who buy groceries elsewhere, online or in store.", 0.18, -0.2),
]

# --- Challenges ---------------------------------------------------------------------------------

OPEN_SLUG = "weekly-shop-in-five-minutes"  # the first challenge: its presence marks a loaded demo
CLOSED_SLUG = "painless-delivery-day"
LAB_SLUG = "lead-user-lab-substitutions-and-freshness"

# Phase start days relative to today: (opens, review, mentoring, final, closes).
CHALLENGES = [
    {
        "slug": OPEN_SLUG,
        "title": "Plan the weekly shop in five minutes",
        "phase": Challenge.Phase.OPEN,
        "visibility": Challenge.Visibility.PUBLIC,
        "days": (-30, 14, 28, 49, 63),
        "outcomes": ["PLAN-01", "PLAN-02", "PLAN-03", "PLAN-04"],
        "invited": [],
        "prize": "£2,000 and a year of free FreshCart delivery for the winning idea; £250 of vouchers for each finalist.",
        "brief": f"""\
{COMPANY} households tell us the weekly shop takes too long to plan, things get forgotten, and the
bill creeps up. **How might {COMPANY} help you plan and order the weekly shop in five minutes —
without forgetting anything, and without going over budget?**

Tell us the problem as you live it and the change you would make. An idea that fits one real
household's week beats an idea that fits everybody in theory.""",
        "business_context": f"""\
Our spring survey of 200 households found these four outcomes among the most important and the
least well served today. What you should know about {COMPANY}:

- We deliver to about 180,000 households from four fulfilment centres, with our own vans and drivers.
- The app and the website share one basket, and we release changes to both every two weeks.
- We already keep each household's order history, favourites and substitution preferences.
- We cannot offer credit, we set prices nationally, and we never share customer data with third parties.

A strong idea saves planning time or money for many households, builds on what we already know
about past orders, and could be piloted with a few thousand customers within three months.""",
    },
    {
        "slug": CLOSED_SLUG,
        "title": "Make delivery day painless",
        "phase": Challenge.Phase.CLOSED,
        "visibility": Challenge.Visibility.PUBLIC,
        "days": (-75, -55, -45, -35, -25),
        "outcomes": ["RECV-01", "RECV-02", "RECV-03", "RECV-05"],
        "invited": [],
        "prize": "£5,000 shared between up to three winning ideas, and a day with the team that builds them.",
        "brief": f"""\
Waiting in for a van, finding the ice cream soft, counting sixty items against a receipt: delivery
day is where {COMPANY} loses people. **How might we make receiving a delivery painless, from the
moment you book a slot until the last bag is put away?**""",
        "business_context": f"""\
- {COMPANY} runs 600 vans on routes planned the evening before; a route cannot change after 22:00.
- Vans have three temperature zones; bags are packed by zone at the fulfilment centre.
- Drivers have about four minutes per stop and carry a handheld that can take photos and payments.
- Refunds today go through customer service by phone or chat and take two to five days.

We are looking for ideas that cut waiting and checking time for most deliveries without adding
more than a minute per stop.""",
    },
    {
        "slug": LAB_SLUG,
        "title": "Lead-user lab: substitutions and freshness",
        "phase": Challenge.Phase.MENTORING,
        "visibility": Challenge.Visibility.INVITE_ONLY,
        "days": (-50, -35, -18, 7, 21),
        "outcomes": ["PLAN-05", "RECV-04"],
        "invited": ["hana", "kenji"],
        "prize": "£1,000 for each idea we pilot, and a seat on the FreshCart customer council.",
        "brief": f"""\
A small, private challenge for customers whose earlier ideas and comments helped us most.
**How might {COMPANY} make substitutions you are happy with, and fresh produce that lasts the week?**""",
        "business_context": """\
- Substitutions are chosen by pickers from what is on the shelf at the time of picking, guided by a
  similarity score; about 4% of items are substituted.
- Produce arrives at our centres daily; we know its delivery date but not its ripeness.
- Customers can reject a substitute at the door today, but few do.

Ideas from this lab go straight to a mentor and, if they work, to a pilot in one fulfilment centre.""",
    },
]

# --- Ideas --------------------------------------------------------------------------------------


@dataclass
class IdeaSpec:
    challenge: str
    author: str
    title: str
    outcomes: list[str]
    status: str
    problem: str
    solution: str
    reason: str = ""  # of the final step (the author's, for a withdrawn idea); others get a default reason
    path: list[str] | None = None  # the steps after submission, when not the default
    duplicate_of: str = ""  # title of the original, for duplicates
    votes: int | None = None  # up votes wanted, when not the default for the status
    comments: list[tuple[str, str]] = field(default_factory=list)


# The steps after "submitted" that reach each status, unless an idea names its own path.
DEFAULT_PATHS = {
    Status.DRAFT: [],
    Status.SUBMITTED: [],
    Status.UNDER_REVIEW: [Status.UNDER_REVIEW],
    Status.SHORTLISTED: [Status.SHORTLISTED],
    Status.IN_MENTORING: [Status.SHORTLISTED, Status.IN_MENTORING],
    Status.FINALIST: [Status.SHORTLISTED, Status.IN_MENTORING, Status.FINALIST],
    Status.WINNER: [Status.SHORTLISTED, Status.IN_MENTORING, Status.FINALIST, Status.WINNER],
    Status.IN_PROGRESS: [Status.SHORTLISTED, Status.IN_MENTORING, Status.FINALIST, Status.WINNER, Status.IN_PROGRESS],
    Status.IMPLEMENTED: [
        Status.SHORTLISTED,
        Status.IN_MENTORING,
        Status.FINALIST,
        Status.WINNER,
        Status.IN_PROGRESS,
        Status.IMPLEMENTED,
    ],
    Status.DECLINED: [Status.DECLINED],
    Status.NOT_SELECTED: [Status.SHORTLISTED, Status.NOT_SELECTED],
    Status.DUPLICATE: [Status.DUPLICATE],
    Status.WITHDRAWN: [],  # the author's own step, through idea_withdraw
}

DEFAULT_REASONS = {
    Status.UNDER_REVIEW: ["Thanks — we've read it and the screening panel is looking at it now."],
    Status.SHORTLISTED: [
        "Shortlisted against the published criteria: it goes straight at an underserved outcome and we "
        "could build it with the app and data we already have.",
        "Shortlisted: strong pain-point fit, and the survey says many households share this problem.",
        "Shortlisted — the screening panel liked how concrete this is. Next step: a mentor to help size it.",
    ],
    Status.IN_MENTORING: [
        "Paired with our mentor Marcus to work out costs, a small pilot and how we would measure success.",
        "In mentoring: Marcus will help turn this into a plan the delivery and app teams can estimate.",
    ],
    Status.FINALIST: [
        "Finalist: the mentoring plan is solid — a clear pilot, a cost estimate and a measure of success.",
        "Finalist. The panel scored the plan highly on pain-point fit and capability fit.",
    ],
    Status.WINNER: [
        "Winner: one of the three ideas the judging panel scored highest on pain-point fit and profit potential."
    ],
    Status.IN_PROGRESS: ["Now being built: a pilot in our Leeds fulfilment centre is scheduled for next month."],
    Status.IMPLEMENTED: ["Implemented and live for all customers."],
    Status.DECLINED: ["Declined: it does not address the outcomes this challenge targets closely enough."],
    Status.NOT_SELECTED: ["Not selected: other ideas scored higher against the criteria at this stage."],
    Status.DUPLICATE: ["Merged into an earlier idea that proposes the same thing; your votes moved there."],
}

# Generic comments for ideas without their own, per challenge.
COMMENT_POOLS = {
    OPEN_SLUG: [
        "This would save me a good ten minutes every Sunday evening.",
        "Would it work when two of us shop from the same account?",
        "I'd use this, as long as I can switch it off for the weeks we're away.",
        "+1 — the budget side of this is what matters most to us at the moment.",
        "How would it handle things we only buy once a month, like washing powder?",
        "We do this with a spreadsheet today. Having it in the app would be so much better.",
        "Great for us: one vegetarian and one coeliac in the house, and planning takes forever.",
        "Simple and useful. Please keep it to one screen!",
    ],
    CLOSED_SLUG: [
        "The waiting is the worst part. Anything that shortens the window gets my vote.",
        "Our flat has no safe place to leave things, so this matters a lot to us.",
        "Last month my ice cream arrived soft. Please fix this!",
        "Would drivers really have time for this on a busy route?",
        "I'd happily pay a little more for this on weekday slots.",
        "Checking sixty items against a paper receipt takes ages — yes please.",
    ],
    LAB_SLUG: [
        "I'd trust substitutions much more with this.",
        "Happy to try this in our household for a month.",
        "Herbs and soft fruit are where it goes wrong for us — worth starting there.",
    ],
}

_S = Status
IDEAS = [
    # --- Plan the weekly shop in five minutes (open) ------------------------------------------
    IdeaSpec(
        OPEN_SLUG,
        "alice",
        "Start the list from what we actually ran out of",
        ["PLAN-01", "PLAN-02"],
        _S.SHORTLISTED,
        "Every Sunday I rebuild the list from memory and by opening cupboards. FreshCart knows "
        "what I buy and how often, but the list still starts empty.",
        "Start each week's basket with a **suggested list** built from how often we buy things:\n\n"
        "- milk and bread every week, coffee every three weeks, dishwasher tablets every six;\n"
        "- one tap to keep or remove each suggestion;\n"
        "- it learns when I remove something twice.",
        votes=11,
        comments=[
            ("bob", "Yes! Half my forgotten items are things I buy every fortnight."),
            ("triage", "Thanks Alice — we've asked the app team how much of this our order history already supports."),
            ("alice", "Happy to test an early version with my household."),
        ],
    ),
    IdeaSpec(
        OPEN_SLUG,
        "bob",
        "A budget bar that fills up as you shop",
        ["PLAN-04"],
        _S.SHORTLISTED,
        "I only see the total at checkout, and by then I've added £20 more than planned. Taking "
        "things out at the end is tedious.",
        "Let me set a weekly budget and show a bar at the top of every page that fills as the basket "
        "grows, turning amber at 90% and red over budget. Tap it to see the five most expensive items.",
        votes=10,
        comments=[("carol", "The 'five most expensive items' part is clever — that's exactly where I'd cut.")],
    ),
    IdeaSpec(
        OPEN_SLUG,
        "carol",
        "Meal plans that turn into a basket in one tap",
        ["PLAN-01", "PLAN-03"],
        _S.SHORTLISTED,
        "We plan meals first and shop second, so I copy ingredients from recipes into the app by hand.",
        "Offer a weekly planner: pick five dinners (from FreshCart recipes or your own), say how many "
        "people, and the ingredients land in the basket, merged and with quantities added up. Items "
        "already in the basket are not added twice.",
        votes=9,
    ),
    IdeaSpec(
        OPEN_SLUG,
        "dan",
        "A household list everyone can add to, even by voice",
        ["PLAN-02"],
        _S.SHORTLISTED,
        "The kids finish the cereal and nobody tells me. By the time I shop, nobody remembers what ran out.",
        "A shared household list, linked to the account, that anyone can add to from their own phone, "
        "a smart speaker (“add cereal to FreshCart”) or a WhatsApp message. I review it when I order.",
        votes=8,
        comments=[
            ("hana", "The WhatsApp part would be the one my family actually uses."),
            ("george", "Could it show who added what? My teenagers would add sweets."),
        ],
    ),
    IdeaSpec(
        OPEN_SLUG,
        "farah",
        "Dietary filters that remember each person at home",
        ["PLAN-03"],
        _S.SHORTLISTED,
        "In our house one person is coeliac and one is vegetarian. I check every label, every week, "
        "even for products I've bought before.",
        "Let me create profiles (“Sam: gluten-free”, “Noor: vegetarian”). Search and suggestions show "
        "badges for who each product suits, and the basket warns if a meal has nothing for someone.",
        votes=8,
    ),
    IdeaSpec(
        OPEN_SLUG,
        "george",
        "“You usually buy this” reminder before checkout",
        ["PLAN-02"],
        _S.SHORTLISTED,
        "I forget one regular item almost every week and end up at the corner shop paying double.",
        "Before payment, show a short list of items I buy almost every time that are missing from this "
        "basket, with one tap to add each.",
        votes=7,
    ),
    IdeaSpec(
        OPEN_SLUG,
        "ivan",
        "Photo of the fridge becomes a shopping list",
        ["PLAN-01", "PLAN-02"],
        _S.SUBMITTED,
        "Checking the fridge and cupboards is the slowest part of planning.",
        "Take two photos — fridge and cupboard — and the app recognises what's running low and "
        "suggests it for the basket.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "julia",
        "Swap suggestions that keep the basket under budget",
        ["PLAN-04"],
        _S.UNDER_REVIEW,
        "When I'm over budget I don't know which swaps save the most without changing our meals.",
        "When the basket passes my budget, suggest the three swaps (own brand, bigger pack, seasonal "
        "alternative) that save the most, and show how much each saves.",
        votes=6,
    ),
    IdeaSpec(
        OPEN_SLUG,
        "kenji",
        "Paste a recipe link, get the ingredients in the basket",
        ["PLAN-01", "PLAN-03"],
        _S.SUBMITTED,
        "I find recipes on blogs and then search for every ingredient one by one.",
        "Paste any recipe URL; FreshCart reads the ingredient list, matches products (respecting my "
        "dietary settings) and lets me tick what I already have.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "leila",
        "Allergen warnings on the whole basket, not just the product page",
        ["PLAN-03"],
        _S.SUBMITTED,
        "Allergen information is only on each product's page. A recipe change by a brand can slip through unnoticed.",
        "Show a basket-level allergen check before checkout, and flag products whose recipe changed "
        "since I last bought them.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "hana",
        "Price per portion for the week's meals",
        ["PLAN-04"],
        _S.SUBMITTED,
        "Cheap-looking packs aren't always cheap per meal, and I can't compare meal ideas on cost.",
        "Show a cost per portion for each planned meal and for the week, so I can swap an expensive "
        "dinner for a cheaper one before I order.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "erin",
        "Plan by the calendar: quick meals on busy nights",
        ["PLAN-01", "PLAN-03"],
        _S.SUBMITTED,
        "On football nights we need dinner in 15 minutes, and I always forget to plan for it.",
        "Connect my calendar (read-only). Busy evenings get quick-meal suggestions, relaxed evenings "
        "get the recipes we like to cook properly.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "alice",
        "Split the basket into budget categories",
        ["PLAN-04"],
        _S.SUBMITTED,
        "I budget separately for food, cleaning and treats, but the basket is one long list.",
        "Group the basket by categories I choose, each with its own subtotal and optional limit.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "bob",
        "Seasonal produce suggestions that cost less",
        ["PLAN-04"],
        _S.SUBMITTED,
        "I buy the same vegetables all year even when they are expensive out of season.",
        "Highlight vegetables and fruit that are in season and cheaper this week, with a simple recipe idea.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "carol",
        "Lunchbox planner for school weeks",
        ["PLAN-01", "PLAN-02"],
        _S.SUBMITTED,
        "Packed lunches for two children are a separate plan every week, and I always run out of something by Thursday.",
        "A lunchbox planner: five days × two children, with favourites remembered and quantities added up.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "dan",
        "Show offers on the items already on my list",
        ["PLAN-04"],
        _S.SUBMITTED,
        "Offers are on a separate page I never look at.",
        "Mark items on my list that are on offer this week, and offer the multi-buy only when it is something I use up.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "farah",
        "Guest mode for planning a dinner party",
        ["PLAN-01", "PLAN-03"],
        _S.SUBMITTED,
        "When we have guests I plan a second shop on paper, with their diets on a sticky note.",
        "A one-off “guests” plan: number of guests, their dietary needs, and a menu that adds to the weekly basket.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "george",
        "Search that understands “gluten-free pasta under £2”",
        ["PLAN-03", "PLAN-04"],
        _S.SUBMITTED,
        "Search only matches product names, so I filter and sort by hand every time.",
        "Let search understand diet, price and size in plain words, and remember my usual filters.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "kenji",
        "List templates for different kinds of week",
        ["PLAN-01"],
        _S.SUBMITTED,
        "Our weeks come in a few kinds: normal, guests, holiday at home. Each needs a different list.",
        "Save lists as templates (“normal week”, “grandparents visiting”) and start the basket from one.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "leila",
        "Plan around leftovers",
        ["PLAN-01", "PLAN-04"],
        _S.SUBMITTED,
        "Half a bag of spinach and some rice are always left over and end up in the bin.",
        "Let me tick leftovers when I plan, and suggest meals that use them up before adding new items.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "erin",
        "A Thursday nudge when the basket is still empty",
        ["PLAN-02"],
        _S.SUBMITTED,
        "Some weeks I forget to order at all until the good slots are gone.",
        "If I usually order by Thursday and haven't, send one gentle reminder with my usual list ready to go.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "carol",
        "A nutrition summary for the week's basket",
        ["PLAN-03"],
        _S.SUBMITTED,
        "I want the week to be balanced, but I can only see nutrition per product.",
        "Add a simple weekly summary to the basket: portions of fruit and vegetables, protein, and how "
        "many meals suit each person's diet.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "ivan",
        "Pay for the weekly shop in instalments",
        ["PLAN-04"],
        _S.DECLINED,
        "Some weeks money is tight before payday.",
        "Let customers split a large shop into four payments.",
        reason="Declined: instalment payments are a regulated credit product and FreshCart cannot offer credit "
        "(see the business context). We understand the problem, and ideas that help households spend less "
        "are very welcome.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "julia",
        "Live chat with a nutritionist while you shop",
        ["PLAN-03"],
        _S.DECLINED,
        "I'm never sure the week's food is balanced for the children.",
        "Add a chat button to talk to a qualified nutritionist while building the basket.",
        reason="Declined: staffing qualified nutritionists for 180,000 households is far beyond what we can "
        "deliver, and it would slow planning down rather than speed it up.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "kenji",
        "Points for healthy choices",
        ["PLAN-03"],
        _S.DECLINED,
        "Healthy eating needs more motivation.",
        "Give loyalty points for fruit, vegetables and wholegrain products.",
        reason="Declined for this challenge: it does not make planning faster or cheaper, which is what this "
        "challenge targets. We've passed it to the loyalty team.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "leila",
        "A printed catalogue posted every week",
        ["PLAN-01"],
        _S.DECLINED,
        "I find it easier to plan on paper than on a small screen.",
        "Post a small printed catalogue with this week's prices to every customer.",
        reason="Declined: printing and posting a weekly catalogue would cost more than our delivery margin and "
        "goes against our packaging pledge. A printable list is on the app team's backlog.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "hana",
        "Name your own price",
        ["PLAN-04"],
        _S.DECLINED,
        "Prices feel high on some staples.",
        "Let customers bid what they are willing to pay and accept the bids we can.",
        reason="Declined: we set prices nationally and cannot price per customer.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "bob",
        "Auto-suggest the items I buy every week",
        ["PLAN-01"],
        _S.DUPLICATE,
        "Typing the same things every week is a waste of time.",
        "Pre-fill the basket with my weekly regulars.",
        duplicate_of="Start the list from what we actually ran out of",
        reason="Merged into Alice's idea, which proposes a suggested list from buying frequency. Your votes moved there.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "erin",
        "Running total against a spending limit",
        ["PLAN-04"],
        _S.DUPLICATE,
        "I go over budget without noticing.",
        "Show a running total against a limit I set.",
        duplicate_of="A budget bar that fills up as you shop",
        reason="Merged into “A budget bar that fills up as you shop”, which proposes the same running total.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "george",
        "Shared family shopping list",
        ["PLAN-02"],
        _S.DUPLICATE,
        "Nobody in my family tells me when things run out.",
        "One list the whole family can add to.",
        duplicate_of="A household list everyone can add to, even by voice",
        reason="Merged into Dan's household list idea; your votes and followers moved with it.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "alice",
        "Scan the barcode of anything you finish",
        ["PLAN-02"],
        _S.DRAFT,
        "By the time I plan, I've forgotten what we finished during the week.",
        "Scan the empty packet's barcode with the app and it goes on next week's list.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "julia",
        "A cooking-for-one mode",
        ["PLAN-01", "PLAN-03"],
        _S.DRAFT,
        "Pack sizes and recipes assume a family; I live alone.",
        "(Still writing this up.) Smaller packs first, recipes scaled to one, freezer-friendly suggestions.",
    ),
    IdeaSpec(
        OPEN_SLUG,
        "george",
        "Order by photographing the fridge",
        ["PLAN-01", "PLAN-02"],
        _S.WITHDRAWN,
        "Working out what is missing means standing at the open fridge and writing it all down.",
        "Take a photo of the open fridge and let the app suggest what to add to the basket.",
        reason="On second thoughts the photos would not see inside packets and jars. Alice's idea of starting "
        "the list from what we ran out of does this better, so I'm supporting hers instead.",
        votes=2,
    ),
    IdeaSpec(
        OPEN_SLUG,
        "ivan",
        "Budget alerts by text message",
        ["PLAN-04"],
        _S.DRAFT,
        "I don't open the app until I'm ready to order.",
        "A text when the auto-saved basket passes my budget.",
    ),
    # --- Make delivery day painless (closed) --------------------------------------------------
    IdeaSpec(
        CLOSED_SLUG,
        "alice",
        "Live van map with a 10-minute arrival window",
        ["RECV-01"],
        _S.IMPLEMENTED,
        "A two-hour slot means a whole morning at home. I can't even pop out for milk in case the van comes.",
        "On delivery day, show the van on a map and narrow the window to **10 minutes** once we're "
        "the next few stops:\n\n"
        "- a message when the van is three stops away;\n"
        "- live ETA based on the route, not a guess;\n"
        "- an option to tell the driver “I'm 5 minutes away, please come back at the end”.",
        reason="Implemented: live van tracking with a 10-minute window is in the app for every delivery. In "
        "the first month, missed deliveries fell by 18% and calls asking “where is my van?” by a third. "
        "The “come back at the end” option follows later this year.",
        comments=[
            ("dan", "This would give me my Saturday mornings back."),
            ("mentor", "Alice and I sized this with the routing team: the handhelds already send GPS every minute."),
            ("farah", "Used it this week — the three-stops-away message is brilliant."),
        ],
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "kenji",
        "Pack chilled and frozen items together in one insulated bag",
        ["RECV-02"],
        _S.IMPLEMENTED,
        "Chilled things come spread over five bags, so the yoghurt sits on the doorstep while I hunt for the ice cream.",
        "Put everything chilled or frozen into **one insulated bag**, always the first one the driver hands over.",
        reason="Implemented: every order now comes with one insulated bag for chilled and frozen items, handed "
        "over first.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "hana",
        "An in-app check-list that ticks items off as you unpack",
        ["RECV-03"],
        _S.IMPLEMENTED,
        "Checking a delivery against a paper receipt with 60 lines takes longer than putting it away.",
        "Scan each bag's label and let the app tick off what it held, so only what is missing is left on the list.",
        reason="Implemented: the check-list is in the app for every delivery since last month.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "carol",
        "Tap to refund missing items from the delivery receipt",
        ["RECV-05", "RECV-03"],
        _S.IN_PROGRESS,
        "When something is missing I have to call customer service, wait on hold and then wait days for the refund.",
        "Make the digital receipt interactive: tap a missing or damaged item, add a photo if it's "
        "damaged, and get the refund straight away for items under £10.",
        comments=[("ivan", "The photo step is fair — and much better than a phone queue.")],
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "dan",
        "Cool-bag drop-off for when you're not home",
        ["RECV-01", "RECV-02"],
        _S.WINNER,
        "I work shifts and can't be home for any slot, so I shop in store instead.",
        "Let customers buy or borrow an insulated, lockable cool box. The driver leaves chilled and "
        "frozen bags inside it with ice packs, and collects the empty box next time.",
        comments=[
            ("george", "Would love this — we have a porch but I worry about the frozen stuff."),
            ("mentor", "The pilot plan Dan wrote with me keeps frozen goods below -12 °C for four hours."),
        ],
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "bob",
        "Doorstep photo of every bag",
        ["RECV-03"],
        _S.NOT_SELECTED,
        "Checking the delivery takes ages, and when something's missing it's my word against the driver's.",
        "The driver takes a photo of the bags at the door; the app shows it with the list of what's in each bag.",
        path=[_S.SHORTLISTED, _S.IN_MENTORING, _S.FINALIST, _S.NOT_SELECTED],
        reason="Not selected, but a close runner-up: tap-to-refund solves the same checking pain with less work "
        "per stop. We will look at photos again when drivers get new handhelds next year.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "farah",
        "Colour-coded bags: chilled, frozen, cupboard",
        ["RECV-02", "RECV-03"],
        _S.NOT_SELECTED,
        "I open every bag to find the frozen things first, and they sit on the floor meanwhile.",
        "Use blue bags for frozen, green for chilled and white for cupboard, so frozen goes into the freezer first.",
        path=[_S.SHORTLISTED, _S.IN_MENTORING, _S.FINALIST, _S.NOT_SELECTED],
        reason="Not selected: the panel loved the simplicity, but we are moving away from single-use bags "
        "altogether. The colour idea will shape the reusable crates we are trialling.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "george",
        "Text me when I'm the next stop",
        ["RECV-01"],
        _S.NOT_SELECTED,
        "I never know if the van is five minutes or an hour away.",
        "Send a text when my delivery is the next stop.",
        path=[_S.SHORTLISTED, _S.IN_MENTORING, _S.NOT_SELECTED],
        reason="Not selected as a separate idea: the winning live-map idea includes a “next few stops” message, "
        "so this is being delivered as part of it.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "hana",
        "Packing list printed in the order of the bags",
        ["RECV-03"],
        _S.NOT_SELECTED,
        "The receipt is sorted by aisle, not by bag, so checking means unpacking everything.",
        "Print (and show in the app) the contents bag by bag, in the order the driver hands them over.",
        path=[_S.SHORTLISTED, _S.IN_MENTORING, _S.NOT_SELECTED],
        reason="Not selected: the finalists cut checking time further. We've shared the bag-by-bag list with "
        "the fulfilment team, who may add it to the app receipt.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "ivan",
        "Chilled lockers at local stations",
        ["RECV-01", "RECV-02"],
        _S.NOT_SELECTED,
        "I commute by train and would rather pick up on the way home than wait in.",
        "Refrigerated lockers at train stations, filled by FreshCart vans during the day.",
        reason="Not selected: lockers need partners and capital we cannot commit this year. It scored well on "
        "pain-point fit, and we will revisit it with the station operator next year.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "julia",
        "A delivery slot that follows my calendar",
        ["RECV-01"],
        _S.NOT_SELECTED,
        "I book a slot, then a meeting moves and I'm not home.",
        "Suggest slots that fit my calendar and warn me if a new event clashes with a booked delivery.",
        reason="Not selected: it helps with booking more than with waiting, and the winning ideas cover waiting better.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "kenji",
        "Instant credit for small missing items, no questions asked",
        ["RECV-05"],
        _S.NOT_SELECTED,
        "Claiming £1.20 for a missing yoghurt isn't worth a phone call, so I don't bother — and I'm annoyed.",
        "Under £5, credit the account immediately when I report a missing item.",
        reason="Not selected: it is now part of the tap-to-refund idea, which went forward.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "leila",
        "Drone delivery for small top-up orders",
        ["RECV-01"],
        _S.DECLINED,
        "I don't want to wait in for three items.",
        "Deliver small orders by drone within the hour.",
        reason="Declined: drone delivery of groceries is not permitted in most of our delivery area, and it "
        "would not help with the weekly shop most customers wait in for.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "erin",
        "Free same-day slot changes",
        ["RECV-01"],
        _S.DECLINED,
        "Plans change on the day, and then I'm stuck waiting in.",
        "Let me move my slot on the day of delivery for free.",
        reason="Declined: routes are planned the evening before and cannot change after 22:00 without "
        "delaying other customers. The live map makes the wait shorter instead.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "bob",
        "Driver puts the shopping away",
        ["RECV-02"],
        _S.DECLINED,
        "Putting everything away is the last chore of delivery day.",
        "Offer a premium option where the driver puts chilled and frozen items away.",
        reason="Declined: drivers entering homes raises safety and insurance issues, and at four minutes per "
        "stop there is no time for it.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "carol",
        "Dry ice in every frozen bag",
        ["RECV-02"],
        _S.DECLINED,
        "Frozen food starts to thaw if I'm slow to unpack.",
        "Add dry ice to frozen bags.",
        reason="Declined: dry ice is hazardous to handle at home, especially with children, and adds cost to every order.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "dan",
        "Weigh every bag at the door",
        ["RECV-03"],
        _S.DECLINED,
        "I can't tell quickly whether something is missing.",
        "The driver weighs each bag at the door and compares it with the expected weight.",
        reason="Declined: scales would add about two minutes per stop, more than this challenge allows.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "farah",
        "Free delivery whenever the van is late",
        ["RECV-01"],
        _S.DECLINED,
        "Late vans waste my time and nobody says sorry.",
        "If the van is late, refund the delivery charge automatically.",
        reason="Declined as new: we already refund the delivery charge automatically when a van is more than 30 "
        "minutes late. We've made this clearer on the delivery page.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "george",
        "Send the order straight to my smart fridge",
        ["RECV-02"],
        _S.DECLINED,
        "My fridge could tell me where things should go.",
        "Integrate the delivery list with smart fridges.",
        reason="Declined: very few of our households have a connected fridge, and it would not keep chilled items cold.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "hana",
        "Video call with the driver at the door",
        ["RECV-03"],
        _S.DECLINED,
        "When I'm out, a neighbour takes the delivery and can't check it.",
        "Let me join a short video call with the driver to check the bags remotely.",
        reason="Declined: drivers cannot take calls while on the road, and the time per stop would double.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "ivan",
        "Track my van like a taxi",
        ["RECV-01"],
        _S.DUPLICATE,
        "I want to see where the van is.",
        "Live map of the van, like taxi apps have.",
        duplicate_of="Live van map with a 10-minute arrival window",
        reason="Merged into Alice's live van map idea, which proposes the same thing; your votes moved there.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "julia",
        "One-tap “item missing” button",
        ["RECV-05"],
        _S.DUPLICATE,
        "Reporting a missing item is too much work.",
        "A button next to each item on the receipt to report it missing.",
        duplicate_of="Tap to refund missing items from the delivery receipt",
        reason="Merged into Carol's tap-to-refund idea.",
    ),
    IdeaSpec(
        CLOSED_SLUG,
        "kenji",
        "Insulated box in a safe place",
        ["RECV-02"],
        _S.DUPLICATE,
        "I'm out during every slot.",
        "Leave the chilled shopping in an insulated box by the door.",
        duplicate_of="Cool-bag drop-off for when you're not home",
        reason="Merged into Dan's cool-bag drop-off idea, which went on to win.",
    ),
    # --- Lead-user lab (invite-only, mentoring) ----------------------------------------------
    IdeaSpec(
        LAB_SLUG,
        "hana",
        "Approve substitutes before the van leaves",
        ["PLAN-05"],
        _S.FINALIST,
        "I find out about substitutions at the door, when it's too late to plan another meal.",
        "When a picker substitutes, send a notification with the substitute and a photo. I have 15 "
        "minutes to accept, pick an alternative or choose “no substitute”.",
        comments=[("kenji", "Fifteen minutes feels right. Could it default to my usual choice if I don't answer?")],
    ),
    IdeaSpec(
        LAB_SLUG,
        "kenji",
        "A freshness promise with automatic credit",
        ["RECV-04"],
        _S.IN_MENTORING,
        "Berries and salad sometimes go off two days after delivery, and I've given up complaining.",
        "Show a “good until” date on fresh produce at delivery; if it spoils before that date, one tap "
        "in the app gives a credit.",
    ),
    IdeaSpec(
        LAB_SLUG,
        "kenji",
        "Substitution rules per recipe, not per product",
        ["PLAN-05"],
        _S.IN_MENTORING,
        "A different pasta shape is fine for a bake but not for lasagne. Product-level preferences miss that.",
        "When I add ingredients from a recipe, let me mark which ones may be substituted and which are essential.",
    ),
    IdeaSpec(
        LAB_SLUG,
        "hana",
        "Choose ripeness: ready now, or ready by Saturday",
        ["RECV-04"],
        _S.SHORTLISTED,
        "Avocados and bananas arrive either rock-hard or overripe.",
        "For a few ripening fruits, let me choose “ready to eat” or “ready in a few days”.",
    ),
    IdeaSpec(
        LAB_SLUG,
        "hana",
        "Photo of the actual fruit before packing",
        ["RECV-04"],
        _S.NOT_SELECTED,
        "I can't see what I'm getting when I buy fresh produce online.",
        "Pickers photograph fresh produce before packing so I can reject it.",
        reason="Not selected for mentoring: photographing every fresh item would slow picking by a third. "
        "Your ripeness idea tackles the same outcome at a fraction of the cost.",
    ),
    IdeaSpec(
        LAB_SLUG,
        "kenji",
        "No substitutions for a whole category",
        ["PLAN-05"],
        _S.DECLINED,
        "I never want baby food substituted.",
        "Let me switch off substitutions for a whole category.",
        reason="Declined as new: this exists under Settings → Substitutions → Categories. We've made it easier "
        "to find from the basket.",
    ),
]

# --- Loading ------------------------------------------------------------------------------------


def is_loaded() -> bool:
    return Challenge.objects.filter(slug=OPEN_SLUG).exists()


def load(*, force: bool = False) -> bool:
    """Load the demo data set; returns False (changing nothing) if it is already there.

    With ``force`` the loaders run anyway; being idempotent, they only add what is missing.
    Status-change emails go to the in-memory outbox so loading stays quiet.
    """
    if is_loaded() and not force:
        return False
    with _quiet(), transaction.atomic():
        users = load_users()
        outcomes = load_jobs_and_outcomes()
        segments = load_segments()
        load_survey(outcomes, segments)
        challenges = load_challenges(users, outcomes)
        load_ideas(challenges, users, outcomes)
        load_questions_and_coauthors(challenges, users)
        load_mentoring(users)
        load_desk(users, outcomes)
        load_innovators(users)
        load_impact(users, segments)
        # The survey's scores, as the Celery task would store them; the open challenge shows them.
        scores_recompute()
        Challenge.objects.filter(slug=OPEN_SLUG).update(publish_scores=True)
    return True


def summary() -> list[tuple[str, int]]:
    """What the demo database holds, counted from the rows (the demo command prints it; docs don't copy it)."""
    return [
        ("members", get_user_model().objects.count()),
        ("challenges", Challenge.objects.count()),
        ("outcomes", Outcome.objects.count()),
        ("survey respondents", Respondent.objects.count()),
        ("ratings", Rating.objects.count()),
        ("ideas", Idea.objects.exclude(status=Status.DRAFT).count()),
        ("drafts", Idea.objects.filter(status=Status.DRAFT).count()),
        ("votes", Vote.objects.count()),
        ("comments", Comment.objects.count()),
        ("status changes", StatusChange.objects.count()),
    ]


def load_questions_and_coauthors(challenges: dict[str, Challenge], users: dict) -> None:
    """The open challenge's own questions (issue 22), and a co-author on its first idea: asked after
    the ideas were written, so none of them is required (a question added later never blocks an idea)."""
    challenge = challenges[OPEN_SLUG]
    ChallengeQuestion.objects.get_or_create(
        challenge=challenge,
        label="Which part of the shop would it change?",
        defaults={"kind": ChallengeQuestion.Kind.CHOICE, "choices": "Planning\nOrdering\nDelivery\nPaying", "order": 1},
    )
    ChallengeQuestion.objects.get_or_create(
        challenge=challenge,
        label="How many minutes a week would it save you?",
        defaults={"kind": ChallengeQuestion.Kind.NUMBER, "order": 2, "help": "Your best guess is fine."},
    )
    idea = challenge.ideas.exclude(status=Status.DRAFT).order_by("pk").first()
    if idea is None or idea.coauthors.exists():
        return
    coauthor = next(users[name] for name, _display in CUSTOMERS if users[name].pk != idea.author_id)
    invitation = coauthor_invite(idea=idea, by=idea.author, member=coauthor)
    coauthor_accept(coauthorship=invitation, user=coauthor)


def load_mentoring(users: dict) -> None:
    """The demo mentor takes the ideas in mentoring: a review, a thread, an open revision request."""
    mentor, triage = users["mentor"], users["triage"]
    ideas = list(Idea.objects.filter(status=Status.IN_MENTORING).select_related("author").order_by("pk"))
    for number, idea in enumerate(ideas):
        if MentorAssignment.objects.filter(idea=idea, ended_at__isnull=True).exists():
            continue
        mentoring.mentor_reassign(idea=idea, mentor=mentor, assigned_by=triage)
        mentoring.thread_post(
            idea=idea,
            user=mentor,
            body=f"Hello {idea.author.public_name}, I'm Marcus from the delivery operations team. "
            "I'll help you turn this into a plan we can pilot. Who would use it first?",
        )
        mentoring.thread_post(idea=idea, user=idea.author, body="Thanks Marcus! Families with a weekly order, I think.")
        if number == 0:
            mentoring.review_save(
                idea=idea,
                mentor=mentor,
                desirability=4,
                feasibility=3,
                viability=4,
                clarity=2,
                comments="Customers want it; the plan needs numbers for the pilot.",
            )
            mentoring.revision_request(
                idea=idea,
                mentor=mentor,
                message="Could you add how many households a first pilot would need, and for how long?",
            )


# --- The triage desk: what a newcomer on the team finds filled in ---------------------------------

# Reasons staff reuse, one or more for each ending a decision can give (and the shortlist).
REASON_TEMPLATES = [
    (
        Status.SHORTLISTED,
        "Strong fit",
        "Shortlisted: it answers the challenge's question head-on and we can see how "
        "to deliver it. Next, a mentor helps you turn it into a plan.",
        [],
    ),
    (
        Status.DECLINED,
        "Outside what we can deliver",
        "Thank you for the idea. We can't take it further: it needs "
        "something we don't control (partners, regulation or a platform we don't run). We've noted the problem "
        "behind it for future challenges.",
        [],
    ),
    (
        Status.DECLINED,
        "Not the challenge's question",
        "Thank you! This one answers a different question from the "
        "one this challenge asks, so we couldn't screen it against its criteria. Do send it again when a challenge "
        "fits.",
        [],
    ),
    (
        Status.DUPLICATE,
        "Same as an earlier idea",
        "An earlier idea proposes the same thing, so we've merged yours "
        "into it: your votes and followers moved there and your comments stay on your page.",
        [],
    ),
    (
        Status.NOT_SELECTED,
        "Others went further",
        "Your idea made the shortlist, but in the end others fitted the "
        "criteria better. Thank you for the work you put into it.",
        [],
    ),
    (
        Status.WINNER,
        "Winner",
        "Congratulations: your idea won the challenge. We'll be in touch about the prize and the pilot.",
        [],
    ),
    (
        Status.IN_PROGRESS,
        "Pilot under way",
        "We've started building a pilot of your idea; we'll tell you here how it goes.",
        [],
    ),
    (
        Status.IMPLEMENTED,
        "Live for everyone",
        "It's live: what we built, where customers find it, and what we measure next.",
        [],
    ),
]

# (ease of adoption, availability of today's solutions), 1–5, per outcome.
OUTCOME_FACTORS = {
    "PLAN-01": (4, 2), "PLAN-02": (4, 3), "PLAN-03": (3, 2), "PLAN-04": (4, 2), "PLAN-05": (3, 1),
    "PLAN-06": (5, 5), "PLAN-07": (5, 4), "RECV-01": (3, 2), "RECV-02": (2, 2), "RECV-03": (4, 3),
    "RECV-04": (3, 2), "RECV-05": (4, 3), "RECV-06": (4, 4),
}  # fmt: skip

# How many submitted ideas the open challenge keeps past its answer promise: the queue's "overdue".
OVERDUE_IDEAS = 3

SCREENING_NOTES = [
    "Clear problem; the depot team would need to confirm the cost.",
    "Fits the pain point well. Similar to what a competitor tested last year.",
    "Nice, but would need a partner we don't have yet.",
    "Strong customer pull in the survey for this outcome.",
    "Hard to deliver before next year's platform change.",
]


def load_desk(users: dict, outcomes: dict[str, Outcome]) -> None:
    """Reason templates for each ending, scorecards by two screeners, ease and availability on the
    outcomes, and overdue ideas: the columns of the triage desk are never empty in the demo."""
    from reviews.models import ReasonTemplate, Screening
    from reviews.services.screening import criteria_ensure_defaults, screening_save

    for to_status, title, text, also_for in REASON_TEMPLATES:
        ReasonTemplate.objects.get_or_create(
            to_status=to_status, title=title, defaults={"text": text, "also_for": also_for}
        )
    for code, (ease, availability) in OUTCOME_FACTORS.items():
        Outcome.objects.filter(code=code, ease_of_adoption__isnull=True).update(ease_of_adoption=ease)
        Outcome.objects.filter(code=code, availability__isnull=True).update(availability=availability)

    rng = random.Random(SEED + 16)
    screeners = [users["triage"], users["screener"]]
    screened = Idea.objects.exclude(
        status__in=[Status.DRAFT, Status.WITHDRAWN, Status.DUPLICATE, Status.SUBMITTED]
    ).select_related("challenge")
    # Some submitted ideas are screened too (not decided yet): the queue shows both kinds.
    waiting = list(Idea.objects.filter(status=Status.SUBMITTED).select_related("challenge").order_by("pk"))[::3]
    for idea in [*screened.order_by("pk"), *waiting]:
        criteria = criteria_ensure_defaults(challenge=idea.challenge)
        good = idea.status not in {Status.DECLINED, Status.SUBMITTED}
        for screener in screeners:
            if Screening.objects.filter(idea=idea, screener=screener).exists():
                continue
            scores = {c.pk: (max(1, min(5, (4 if good else 2) + rng.choice([-1, 0, 0, 1]))), "") for c in criteria}
            screening_save(idea=idea, screener=screener, scores=scores, notes=rng.choice(SCREENING_NOTES))

    load_overdue(users)
    # Acknowledged ideas ("under review": the first answer, not yet a decision) come with their
    # history from DEFAULT_PATHS, like every other status.


def load_overdue(users: dict) -> None:
    """Make sure OVERDUE_IDEAS submitted ideas of the open challenge wait past its answer promise."""
    challenge = Challenge.objects.get(slug=OPEN_SLUG)
    now = timezone.now()
    due_before = now - timedelta(days=challenge.answer_within_days)
    waiting = Idea.objects.filter(challenge=challenge, status=Status.SUBMITTED, decided_at__isnull=True)
    missing = OVERDUE_IDEAS - waiting.filter(submitted_at__lt=due_before).count()
    for days, idea in zip(range(3, 3 + max(missing, 0)), waiting.order_by("submitted_at", "pk"), strict=False):
        moment = due_before - timedelta(days=days, hours=2)
        Idea.objects.filter(pk=idea.pk).update(submitted_at=moment, created_at=moment - timedelta(hours=1))


# The emergent-customer questionnaire: (statement, weight). Answers of the customers who took it.
QUESTIONNAIRE_ITEMS = [
    ("I often change how I shop or cook to get around things that annoy me.", 2),
    ("I was among the first people I know to try grocery delivery.", 1),
    ("Friends ask me which apps or services to use.", 1),
    ("I have built or adapted my own tools (lists, spreadsheets, gadgets) for groceries.", 2),
    ("I expect to benefit a lot if delivery gets better.", 1),
]
QUESTIONNAIRE_ANSWERS = {
    "hana": [7, 6, 6, 7, 6],
    "kenji": [6, 7, 5, 6, 7],
    "alice": [5, 4, 6, 4, 5],
    "bob": [3, 2, 4, 2, 5],
    "erin": [2, 3, 2, 1, 4],
}
PRIVATE_PROFILES = ["leila"]


# The implemented ideas' follow-up surveys (impact): (idea, outcome, follow-up respondents in the segment
# Customers, share of them satisfied afterwards — None: the same share as before —, closed already).
IMPACT = [
    ("Live van map with a 10-minute arrival window", "RECV-01", 64, 0.55, True),  # an improvement
    ("Pack chilled and frozen items together in one insulated bag", "RECV-02", 58, None, True),  # no change
    ("An in-app check-list that ticks items off as you unpack", "RECV-03", 12, 0.5, False),  # still collecting
]


def load_impact(users: dict, segments: dict[str, Segment]) -> None:
    """One follow-up survey per implemented idea of IMPACT, answered by made-up respondents of the
    segment Customers, and closed (its result computed by the service, as beat would) or left open."""
    rng = random.Random(SEED + 20)
    customers = segments["Customers"]
    now = timezone.now()
    for title, code, respondents, share, closed in IMPACT:
        idea = Idea.objects.filter(title=title, status=Status.IMPLEMENTED).first()
        if idea is None or FollowUp.objects.filter(idea=idea).exists():
            continue
        opened = now - timedelta(days=35 if closed else 5)
        follow_up = follow_up_schedule(
            idea=idea,
            user=users["triage"],
            outcomes=[idea.outcomes.get(code=code)],
            segments=[customers],
            delay_days=0,
            open_days=21,
            now=opened,
        )
        wave, outcome = follow_up.wave, idea.outcomes.get(code=code)
        if share is None:
            before = Rating.objects.filter(wave=follow_up.baseline_wave, outcome=outcome, respondent__segment=customers)
            share = before.filter(satisfaction__gte=4).count() / before.count()
        satisfied = round(share * respondents)
        people = Respondent.objects.bulk_create(
            [Respondent(key=f"follow-up-{wave.pk}-{n:03d}", segment=customers) for n in range(respondents)]
        )
        Rating.objects.bulk_create(
            Rating(
                respondent=person,
                outcome=outcome,
                wave=wave,
                importance=rng.choice([3, 4, 5, 5]),
                satisfaction=rng.choice([4, 5]) if n < satisfied else rng.choice([1, 2, 3]),
            )
            for n, person in enumerate(people)
        )
        if closed:
            wave_close(wave_id=wave.pk, now=opened + timedelta(days=21))


def load_innovators(users: dict) -> None:
    """An open questionnaire, answered by five customers; one customer keeps a private profile."""
    questionnaire, created = Questionnaire.objects.get_or_create(
        title="How do you shop?",
        defaults={
            "introduction": "Five quick statements about how you shop. It is optional; it helps us invite "
            "the right people to our focused challenges.",
            "is_open": True,
        },
    )
    if created:
        QuestionnaireItem.objects.bulk_create(
            QuestionnaireItem(questionnaire=questionnaire, position=n, text=text, weight=weight)
            for n, (text, weight) in enumerate(QUESTIONNAIRE_ITEMS, start=1)
        )
    items = list(questionnaire.items.order_by("position"))
    for name, values in QUESTIONNAIRE_ANSWERS.items():
        if not questionnaire.responses.filter(user=users[name]).exists():
            questionnaire_answer(
                user=users[name],
                questionnaire=questionnaire,
                values=dict(zip([i.pk for i in items], values, strict=True)),
            )
    get_user_model().objects.filter(pk__in=[users[name].pk for name in PRIVATE_PROFILES]).update(profile_public=False)


@contextmanager
def _quiet():
    """Emails to the in-memory outbox, and no log line per inline notification task."""
    # celery.app.trace logs every task; kombu warns once that the in-memory broker has no host.
    loggers = [logging.getLogger("celery.app.trace"), logging.getLogger("kombu.connection")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def load_users() -> dict[str, object]:
    """The demo members by short name; one password hash for all (hashing is the slow part)."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    triage_group = Group.objects.get(name=TRIAGE_GROUP)
    mentor_group = Group.objects.get(name=MENTOR_GROUP)
    people = [(role, name, display) for role, name, display in STAFF] + [
        ("customer", name, display) for name, display in CUSTOMERS
    ]
    users = {}
    for role, name, display in people:
        email = email_of(name)
        first, _, last = display.split(" (")[0].partition(" ")
        user, created = User.objects.get_or_create(
            username=email,
            defaults={
                "email": email,
                "display_name": display,
                "first_name": first,
                "last_name": last,
                "password": password,
                "is_staff": role in {"admin", "triage"},
                "is_superuser": role == "admin",
            },
        )
        if created and role == "triage":
            user.groups.add(triage_group)
        if created and role == "mentor":
            user.groups.add(mentor_group)
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        users[name] = user
    return users


def load_jobs_and_outcomes() -> dict[str, Outcome]:
    outcomes = {}
    for name, kind, description, job_outcomes in JOBS:
        job, _ = Job.objects.get_or_create(name=name, defaults={"kind": kind, "description": description})
        for code, statement, _importance, _satisfaction in job_outcomes:
            outcomes[code], _ = Outcome.objects.get_or_create(code=code, defaults={"job": job, "statement": statement})
    return outcomes


def load_segments() -> dict[str, Segment]:
    return {
        name: Segment.objects.get_or_create(name=name, defaults={"description": description})[0]
        for name, description, _share, _shift in SEGMENTS
    }


def _score(rng: random.Random, mean: float) -> int:
    return min(5, max(1, round(rng.gauss(mean, 0.9))))


def load_survey(outcomes: dict[str, Outcome], segments: dict[str, Segment]) -> None:
    """About 200 survey respondents, each rating every outcome, drawn from a seeded generator."""
    rng = random.Random(SEED)
    means = {code: (imp, sat) for *_, job_outcomes in JOBS for code, _statement, imp, sat in job_outcomes}
    names = [name for name, *_ in SEGMENTS]
    shares = [share for _name, _description, share, _shift in SEGMENTS]
    shifts = {name: shift for name, _description, _share, shift in SEGMENTS}
    # Draw everything first so the values do not depend on what already exists.
    planned = []
    for number in range(1, RESPONDENTS + 1):
        segment = rng.choices(names, weights=shares)[0]
        scores = {
            code: (_score(rng, imp), _score(rng, sat + shifts[segment])) for code, (imp, sat) in sorted(means.items())
        }
        planned.append((f"survey-{number:03d}", segment, scores))

    existing = set(Respondent.objects.filter(key__startswith="survey-").values_list("key", flat=True))
    Respondent.objects.bulk_create(
        [Respondent(key=key, segment=segments[segment]) for key, segment, _ in planned if key not in existing]
    )
    respondents = dict(Respondent.objects.filter(key__startswith="survey-").values_list("key", "pk"))
    # The survey's first round of each job: the follow-up waves of the implemented ideas compare with it.
    waves = {outcome.job_id: wave_current_for_job(job=outcome.job) for outcome in outcomes.values()}
    rated = set(
        Rating.objects.filter(respondent_id__in=respondents.values(), wave__in=waves.values()).values_list(
            "respondent_id", "outcome_id"
        )
    )
    Rating.objects.bulk_create(
        [
            Rating(
                respondent_id=respondents[key],
                outcome=outcomes[code],
                wave=waves[outcomes[code].job_id],
                importance=imp,
                satisfaction=sat,
            )
            for key, _segment, scores in planned
            for code, (imp, sat) in scores.items()
            if (respondents[key], outcomes[code].pk) not in rated
        ],
        batch_size=1000,
    )


def load_challenges(users: dict, outcomes: dict[str, Outcome]) -> dict[str, Challenge]:
    today = timezone.localdate()
    challenges = {}
    for spec in CHALLENGES:
        opens, review, mentoring, final, closes = (today + timedelta(days=d) for d in spec["days"])
        challenge, created = Challenge.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "title": spec["title"],
                "brief": spec["brief"],
                "business_context": spec["business_context"],
                "prize": spec["prize"],
                "phase": spec["phase"],
                "visibility": spec["visibility"],
                "opens_at": opens,
                "review_starts_at": review,
                "mentoring_starts_at": mentoring,
                "final_starts_at": final,
                "closes_at": closes,
            },
        )
        if created:
            challenge.outcomes.set([outcomes[code] for code in spec["outcomes"]])
            challenge.invited_members.set([users[name] for name in spec["invited"]])
        for position, (name, description, weight) in enumerate(SelectionCriterion.DEFAULTS):
            SelectionCriterion.objects.get_or_create(
                challenge=challenge,
                name=name,
                defaults={"description": description, "weight": weight, "position": position},
            )
        challenges[spec["slug"]] = challenge
    return challenges


def _path(spec: IdeaSpec) -> list[str]:
    path = spec.path if spec.path is not None else DEFAULT_PATHS[spec.status]
    previous = Status.SUBMITTED
    for step in path:
        if step not in TRANSITIONS.get(previous, ()):  # a broken spec, caught by the demo test
            raise ValueError(f"{spec.title}: {previous} cannot become {step}")
        previous = step
    if previous != spec.status and spec.status not in {Status.DRAFT, Status.WITHDRAWN}:
        raise ValueError(f"{spec.title}: the path ends at {previous}, not {spec.status}")
    return path


def _default_votes(rng: random.Random, status: str) -> int:
    if status in {Status.WINNER, Status.IN_PROGRESS, Status.IMPLEMENTED}:
        return rng.randint(9, 11)
    if status in {Status.FINALIST, Status.IN_MENTORING}:
        return rng.randint(6, 9)
    if status in {Status.SHORTLISTED, Status.NOT_SELECTED}:
        return rng.randint(4, 7)
    if status == Status.DRAFT:
        return 0
    return rng.randint(1, 5)


def _walk(spec: IdeaSpec, idea: Idea, path: list, *, triage, by_title: dict, rng: random.Random) -> None:
    """Move one idea along its path through the funnel, with its reasons."""
    for step in path:
        reason = spec.reason if step == path[-1] and spec.reason else rng.choice(DEFAULT_REASONS[step])
        idea_status_change(
            idea=idea,
            to_status=step,
            changed_by=triage,
            reason=reason,
            duplicate_of=by_title[spec.duplicate_of] if step == Status.DUPLICATE else None,
        )


def load_ideas(challenges: dict[str, Challenge], users: dict, outcomes: dict[str, Outcome]) -> list[Idea]:
    """Create the missing ideas, vote, comment and move them through the funnel, then date them.

    Each challenge is open while its ideas are created (submissions, votes and comments need it)
    and is put back in its own phase afterwards.
    """
    rng = random.Random(SEED)
    triage = users["triage"]
    customers = [name for name, _display in CUSTOMERS]
    created: list[tuple[IdeaSpec, Idea]] = []
    for slug, challenge in challenges.items():
        specs = [spec for spec in IDEAS if spec.challenge == slug]
        existing = set(challenge.ideas.values_list("title", flat=True))
        missing = [spec for spec in specs if spec.title not in existing]
        if not missing:
            continue
        phase = challenge.phase
        Challenge.objects.filter(pk=challenge.pk).update(phase=Challenge.Phase.OPEN)
        challenge.phase = Challenge.Phase.OPEN
        invited = [name for name in customers if users[name] in challenge.invited_members.all()]
        audience = invited if challenge.is_invite_only else customers
        by_title = {idea.title: idea for idea in challenge.ideas.all()}
        originals = {spec.duplicate_of for spec in specs if spec.duplicate_of}
        later: list[tuple[IdeaSpec, Idea, list]] = []
        for spec in missing:
            path = _path(spec)
            idea = idea_create(
                author=users[spec.author],
                challenge=challenge,
                title=spec.title,
                problem=spec.problem,
                solution=spec.solution,
                outcomes=[outcomes[code] for code in spec.outcomes],
                submit=spec.status != Status.DRAFT,
            )
            by_title[spec.title] = idea
            created.append((spec, idea))
            if spec.status == Status.DRAFT:
                continue
            voters = [name for name in audience if name != spec.author]
            wanted = spec.votes if spec.votes is not None else _default_votes(rng, spec.status)
            for name in rng.sample(voters, min(wanted, len(voters))):
                vote_cast(user=users[name], idea=idea, value=1)
            if spec.status in {Status.DECLINED, Status.SUBMITTED} and len(voters) > wanted and rng.random() < 0.3:
                others = [name for name in voters if not idea.votes.filter(user=users[name]).exists()]
                vote_cast(user=users[rng.choice(others)], idea=idea, value=-1)
            comments = list(spec.comments)
            if not comments and rng.random() < 0.7:
                pool = COMMENT_POOLS[slug]
                comments = [(rng.choice(voters), body) for body in rng.sample(pool, rng.randint(1, 3))]
            for name, body in comments:
                comment_create(author=users[name], idea=idea, body=body)
            if spec.status == Status.WITHDRAWN:
                idea_withdraw(user=users[spec.author], idea=idea, reason=spec.reason)
            if spec.title in originals:
                # Its duplicates are merged while it is still open (as staff would): its own steps come after.
                later.append((spec, idea, path))
                continue
            _walk(spec, idea, path, triage=triage, by_title=by_title, rng=rng)
        for spec, idea, path in later:
            _walk(spec, idea, path, triage=triage, by_title=by_title, rng=rng)
        Challenge.objects.filter(pk=challenge.pk).update(phase=phase)
        challenge.phase = phase
    _spread_dates(created, challenges, rng)
    return [idea for _spec, idea in created]


# --- Dates --------------------------------------------------------------------------------------


def _at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment on that day, in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 18), rng.randint(0, 59))))


def _between(start: datetime, end: datetime, rng: random.Random) -> datetime:
    if end <= start:
        return start + timedelta(minutes=rng.randint(5, 90))
    return start + (end - start) * rng.random()


def _step_at(challenge: Challenge, previous_status: str, step: str, previous: datetime, rng: random.Random) -> datetime:
    """When a step happened: on its phase's start day if that is past, else a few days after the last step."""
    today = timezone.localdate()
    now = timezone.now()
    anchors = {
        Status.SHORTLISTED: challenge.review_starts_at,
        Status.IN_MENTORING: challenge.mentoring_starts_at,
        Status.FINALIST: challenge.final_starts_at,
        Status.WINNER: challenge.closes_at,
        Status.IN_PROGRESS: challenge.closes_at + timedelta(days=7),
        Status.IMPLEMENTED: today - timedelta(days=6),
        Status.NOT_SELECTED: {
            Status.SHORTLISTED: challenge.mentoring_starts_at,
            Status.IN_MENTORING: challenge.final_starts_at,
            Status.FINALIST: challenge.closes_at,
        }.get(previous_status),
    }
    anchor = anchors.get(step)
    if anchor is not None and anchor < today:
        moment = _at(min(anchor + timedelta(days=rng.randint(0, 2)), today - timedelta(days=1)), rng)
    else:
        moment = previous + timedelta(days=rng.uniform(1.5, 8))
    latest = now - timedelta(minutes=rng.randint(20, 600))
    if moment <= previous or moment >= latest:
        moment = _between(previous + timedelta(hours=1), min(moment, latest), rng)
    return moment


def _spread_dates(created: list[tuple[IdeaSpec, Idea]], challenges: dict[str, Challenge], rng: random.Random) -> None:
    """Date the new ideas and their history over the challenge timelines, deterministically."""
    if not created:
        return
    now = timezone.now()
    today = timezone.localdate()
    submitted: dict[int, datetime] = {}
    ideas, changes, votes, comments = [], [], [], []
    for spec, idea in created:
        challenge = challenges[spec.challenge]
        window_start = _at(challenge.opens_at, rng)
        window_end = _at(min(challenge.review_starts_at, today), rng) if challenge.review_starts_at else now
        if spec.status in {Status.DRAFT, Status.SUBMITTED}:
            window_end = min(window_end, now - timedelta(hours=2))
        elif challenge.phase == Challenge.Phase.OPEN:
            window_end = min(window_end, now - timedelta(days=12))  # leave room for the screening steps
        moment = _between(window_start, window_end, rng)
        if spec.duplicate_of:
            original = next(i for s, i in created if s.challenge == spec.challenge and s.title == spec.duplicate_of)
            moment = max(moment, submitted.get(original.pk, moment) + timedelta(days=rng.uniform(1, 5)))
            moment = min(moment, now - timedelta(days=3))
        idea.created_at = moment - timedelta(minutes=rng.randint(5, 240))
        idea.submitted_at = None if spec.status == Status.DRAFT else moment
        submitted[idea.pk] = moment

        previous, previous_status, decided = moment, Status.SUBMITTED, False
        for change in sorted(idea.status_changes.all(), key=lambda c: c.pk):
            previous = _step_at(challenge, previous_status, change.to_status, previous, rng)
            previous_status = change.to_status
            change.created_at = previous
            changes.append(change)
            # decided_at means a staff decision; the author's own withdrawal is not one.
            decided = decided or change.to_status != Status.WITHDRAWN
        idea.decided_at = previous if decided else None
        idea.updated_at = previous
        ideas.append(idea)

    for idea in ideas:
        challenge = challenges[next(s.challenge for s, i in created if i.pk == idea.pk)]
        vote_end = min(now, _at(challenge.mentoring_starts_at, rng)) if challenge.mentoring_starts_at else now
        comment_end = min(now, _at(challenge.closes_at, rng)) if challenge.closes_at else now
        start = idea.submitted_at or idea.created_at
        for vote in Vote.objects.filter(idea=idea):
            vote.created_at = vote.updated_at = _between(start, vote_end, rng)
            votes.append(vote)
        for comment in Comment.objects.filter(idea=idea).order_by("pk"):
            start = _between(start, min(comment_end, start + timedelta(days=6)), rng)
            comment.created_at = comment.updated_at = start
            comments.append(comment)

    Idea.objects.bulk_update(ideas, ["created_at", "updated_at", "submitted_at", "decided_at"], batch_size=200)
    StatusChange.objects.bulk_update(changes, ["created_at"], batch_size=200)
    Vote.objects.bulk_update(votes, ["created_at", "updated_at"], batch_size=500)
    Comment.objects.bulk_update(comments, ["created_at", "updated_at"], batch_size=500)


# --- Log-ins ------------------------------------------------------------------------------------


def login_rows() -> list[tuple[str, str, str]]:
    """(role, email, password) for each demo member."""
    return [(role, email_of(name), DEMO_PASSWORD) for role, name, _display in STAFF] + [
        ("customer", email_of(name), DEMO_PASSWORD) for name, _display in CUSTOMERS
    ]
