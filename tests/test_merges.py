"""Safe merges: the picker offers only open ideas of the same challenge by title, a preview says what
moves before anything changes, and an undo puts every vote and follower back exactly."""

import pytest
from django.urls import reverse

from ideas import services
from ideas.models import Comment, Idea, IdeaFollow, Merge, Status, StatusChange, Vote
from reputation.models import ReputationEvent, ReputationTotal
from tests import factories
from tests.decisions import expected_for

CHANGELIST_URL = reverse("admin:ideas_idea_changelist")


def snapshot(*ideas):
    """Everything a merge touches, per idea: counters, vote rows (who, value) and followers."""
    state = {}
    for idea in ideas:
        idea.refresh_from_db()
        state[idea.pk] = {
            "status": idea.status,
            "duplicate_of": idea.duplicate_of_id,
            "votes": (idea.votes_up, idea.votes_down),
            "vote_rows": sorted(Vote.objects.filter(idea=idea).values_list("user_id", "value")),
            "followers": sorted(IdeaFollow.objects.filter(idea=idea).values_list("user_id", flat=True)),
            "comments": idea.comments_count,
            "decided_at": idea.decided_at,
        }
    return state


@pytest.fixture
def pair(open_challenge, triage):
    """A duplicate and its original with overlapping voters and followers."""
    original = factories.IdeaFactory(challenge=open_challenge, title="Lockers at stations")
    duplicate = factories.IdeaFactory(challenge=open_challenge, title="Station lockers")
    only_dup_up, only_dup_down, both, both_follow = (factories.UserFactory() for _ in range(4))
    services.vote_cast(user=only_dup_up, idea=duplicate, value=Vote.Value.UP)
    services.vote_cast(user=only_dup_down, idea=duplicate, value=Vote.Value.DOWN)
    services.vote_cast(user=both, idea=duplicate, value=Vote.Value.UP)
    services.vote_cast(user=both, idea=original, value=Vote.Value.DOWN)
    services.vote_cast(user=original.author, idea=duplicate, value=Vote.Value.UP)  # cannot move: own idea
    services.idea_follow(user=both_follow, idea=duplicate)
    services.idea_follow(user=both_follow, idea=original)
    services.idea_follow(user=only_dup_up, idea=duplicate)
    services.comment_create(author=only_dup_up, idea=duplicate, body="Yes, at every station.")
    return duplicate, original


def merge(duplicate, original, triage):
    return services.idea_status_change(
        idea=duplicate, to_status=Status.DUPLICATE, changed_by=triage, reason="Same idea.", duplicate_of=original
    )


@pytest.mark.django_db
def test_merge_then_unmerge_leaves_votes_and_followers_exact(pair, triage):
    duplicate, original = pair
    before = snapshot(duplicate, original)
    preview = services_preview(duplicate, original)
    assert (preview.votes_moving, preview.votes_not_moving) == (2, 2)
    assert (preview.followers_moving, preview.followers_already, preview.comments_staying) == (1, 1, 1)

    merge(duplicate, original, triage)
    merged = snapshot(duplicate, original)
    assert merged[duplicate.pk]["votes"] == (0, 0) and merged[duplicate.pk]["vote_rows"] == []
    # Exactly what the preview said: 2 votes moved (one up, one down), the original's own vote kept.
    assert merged[original.pk]["votes"] == (before[original.pk]["votes"][0] + 1, before[original.pk]["votes"][1] + 1)
    assert len(merged[original.pk]["followers"]) == len(before[original.pk]["followers"]) + 1
    assert merged[duplicate.pk]["comments"] == 1  # comments stay
    assert Comment.objects.filter(idea=duplicate).count() == 1
    record = Merge.objects.get()
    assert (record.votes_moved, len(record.removed_votes), record.followers_moved) == (2, 2, 1)

    services.idea_unmerge(merge=record, undone_by=triage)
    after = snapshot(duplicate, original)
    assert after == before
    record.refresh_from_db()
    assert record.undone_at is not None
    change = StatusChange.objects.filter(idea=duplicate).order_by("-id").first()
    assert (change.from_status, change.to_status) == (Status.DUPLICATE, Status.SUBMITTED)

    # Merge again after the undo: the same counts again, and the undo again restores them.
    merge(duplicate, original, triage)
    assert snapshot(duplicate, original) == {
        **merged,
        duplicate.pk: {**merged[duplicate.pk], "decided_at": Idea.objects.get(pk=duplicate.pk).decided_at},
    }
    services.idea_unmerge(merge=Merge.objects.get(undone_at__isnull=True), undone_by=triage)
    assert snapshot(duplicate, original) == before


def services_preview(duplicate, original):
    from ideas.selectors import merge_preview

    return merge_preview(duplicate=duplicate, target=original)


@pytest.mark.django_db
def test_a_vote_changed_or_withdrawn_after_the_merge_is_respected_by_the_undo(pair, triage):
    duplicate, original = pair
    merge(duplicate, original, triage)
    moved = Vote.objects.filter(idea=original, value=Vote.Value.DOWN).exclude(user=original.author).first()
    services.vote_withdraw(user=moved.user, idea=original) if hasattr(services, "vote_withdraw") else moved.delete()
    services.idea_unmerge(merge=Merge.objects.get(), undone_by=triage)
    duplicate.refresh_from_db()
    original.refresh_from_db()
    assert not Vote.objects.filter(user=moved.user).exists()
    assert (duplicate.votes_up, duplicate.votes_down) == (3, 0)
    assert duplicate.votes_up == Vote.objects.filter(idea=duplicate, value=1).count()
    assert original.votes_down == Vote.objects.filter(idea=original, value=-1).count()


@pytest.mark.django_db
def test_no_undo_once_the_original_moved_on_and_nothing_changes(pair, triage):
    duplicate, original = pair
    merge(duplicate, original, triage)
    services.idea_status_change(idea=original, to_status=Status.SHORTLISTED, changed_by=triage)
    state = snapshot(duplicate, original)
    with pytest.raises(services.MergeNotUndoable, match="moved on"):
        services.idea_unmerge(merge=Merge.objects.get(), undone_by=triage)
    assert snapshot(duplicate, original) == state
    assert Merge.objects.get().undone_at is None


@pytest.mark.django_db
def test_an_undo_twice_is_refused(pair, triage):
    duplicate, original = pair
    merge(duplicate, original, triage)
    record = Merge.objects.get()
    services.idea_unmerge(merge=record, undone_by=triage)
    with pytest.raises(services.MergeNotUndoable):
        services.idea_unmerge(merge=Merge.objects.get(pk=record.pk), undone_by=triage)


@pytest.mark.django_db
def test_only_triage_staff_undo(pair, triage, customer):
    duplicate, original = pair
    merge(duplicate, original, triage)
    with pytest.raises(services.TransitionNotAllowed):
        services.idea_unmerge(merge=Merge.objects.get(), undone_by=customer)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.DECLINED, Status.NOT_SELECTED, Status.IMPLEMENTED])
def test_no_merge_into_an_answered_idea(open_challenge, triage, status):
    target = factories.IdeaFactory(challenge=open_challenge, status=status)
    duplicate = factories.IdeaFactory(challenge=open_challenge)
    with pytest.raises(services.TransitionNotAllowed, match="still open"):
        merge(duplicate, target, triage)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.SUBMITTED and not Merge.objects.exists()


@pytest.mark.django_db
def test_points_follow_the_merge_and_come_back_with_the_undo(open_challenge, triage, customer):
    original = factories.IdeaFactory(challenge=open_challenge)
    duplicate = services.idea_create(
        author=customer,
        challenge=open_challenge,
        title="Lockers again",
        problem="Parcels go back to the depot.",
        solution="Lockers at every station.",
        outcomes=list(open_challenge.outcomes.all()),
        submit=True,
    )

    def points():
        total = ReputationTotal.objects.filter(user=customer).first()
        return total.points if total else 0

    awarded = points()
    assert awarded > 0
    merge(duplicate, original, triage)
    assert points() == 0
    services.idea_unmerge(merge=Merge.objects.get(), undone_by=triage)
    assert points() == awarded
    merge(duplicate, original, triage)  # merged again: taken again, once
    assert points() == 0
    assert sum(ReputationEvent.objects.filter(user=customer).values_list("points", flat=True)) == 0


# --- The admin: picker, preview, undo ---------------------------------------------------------


@pytest.mark.django_db
def test_the_picker_offers_open_ideas_of_the_same_challenge_by_title_only(
    client, triage, open_challenge, django_assert_num_queries
):
    ivan = factories.UserFactory(display_name="Ivan Petrov")
    duplicate = factories.IdeaFactory(challenge=open_challenge, title="Parcel lockers")
    by_ivan = factories.IdeaFactory(challenge=open_challenge, author=ivan, title="Night deliveries")
    caravan = factories.IdeaFactory(challenge=open_challenge, title="A caravan of vans", status=Status.SHORTLISTED)
    factories.IdeaFactory(challenge=open_challenge, title="Vans at night", status=Status.DECLINED)
    factories.IdeaFactory(title="Van sharing")  # another challenge
    client.force_login(triage)
    url = reverse("admin:ideas_idea_merge_candidates")
    params = {"app_label": "ideas", "model_name": "idea", "field_name": "duplicate_of", "for": str(duplicate.pk)}

    def offered(term):
        response = client.get(url, {**params, "term": term})
        assert response.status_code == 200
        return response.json()["results"]

    results = offered("van")
    assert [r["id"] for r in results] == [str(caravan.pk)]  # not Ivan's idea, not declined, not elsewhere
    assert results[0]["text"] == (
        f"#{caravan.pk} A caravan of vans — {open_challenge.title} · Shortlisted · 0 up, 0 down"
    )
    assert str(by_ivan.pk) in [r["id"] for r in offered(str(by_ivan.pk))]
    assert str(duplicate.pk) not in [r["id"] for r in offered("")]  # never the idea itself
    assert str(duplicate.pk) not in [r["id"] for r in offered("parcel")]
    # Session, user, the merged ideas' challenge, the page count, the page: constant in the matches.
    with django_assert_num_queries(7):
        assert len(offered("van")) == 1
    for _ in range(25):
        factories.IdeaFactory(challenge=open_challenge, title="More vans")
    with django_assert_num_queries(7):
        assert len(offered("van")) == 20
    client.force_login(factories.UserFactory())
    assert client.get(url, {**params, "term": "van"}).status_code in (302, 403)


@pytest.mark.django_db
def test_admin_merge_preview_then_undo(client, triage, pair):
    duplicate, original = pair
    before = snapshot(duplicate, original)
    client.force_login(triage)
    data = {
        "action": "change_status",
        "_selected_action": [duplicate.pk],
        "apply": "Change status",
        "expected_status": expected_for([duplicate]),
        "to_status": "duplicate",
        "reason": "Same as the lockers idea.",
        "duplicate_of": original.pk,
    }
    response = client.post(CHANGELIST_URL, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 votes move" in page and "1 follower move" in page and "1 comment stay" in page
    assert snapshot(duplicate, original) == before  # nothing changed yet

    response = client.post(CHANGELIST_URL, {**data, "confirm_merge": "1"}, follow=True)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.DUPLICATE

    # The merged idea's page offers the undo, not an empty "Change status".
    change_page = client.get(reverse("admin:ideas_idea_change", args=[duplicate.pk])).content.decode()
    assert "Undo merge…" in change_page and "Change status…" not in change_page
    response = client.get(reverse("admin:ideas_idea_change_status", args=[duplicate.pk]), follow=True)
    assert "no further status" in response.content.decode()

    unmerge_url = reverse("admin:ideas_idea_unmerge", args=[duplicate.pk])
    page = client.get(unmerge_url).content.decode()
    assert "2 votes</strong> go back" in page
    response = client.post(unmerge_url, {"unmerge": "Undo the merge"}, follow=True)
    assert "Merge undone" in response.content.decode()
    assert snapshot(duplicate, original) == before


@pytest.mark.django_db
def test_admin_undo_refused_once_the_original_moved_on(client, triage, pair):
    duplicate, original = pair
    merge(duplicate, original, triage)
    services.idea_status_change(idea=original, to_status=Status.SHORTLISTED, changed_by=triage)
    client.force_login(triage)
    unmerge_url = reverse("admin:ideas_idea_unmerge", args=[duplicate.pk])
    page = client.get(unmerge_url).content.decode()
    assert "can no longer be undone" in page and 'value="Undo the merge"' not in page
    client.post(unmerge_url, {"unmerge": "Undo the merge"})
    duplicate.refresh_from_db()
    assert duplicate.status == Status.DUPLICATE
