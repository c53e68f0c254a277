"""Every notification kind by name, for the tests: the keys the apps register (``notifications.registry``)."""

from challenges import notification_kinds as challenges
from ideas import notification_kinds as ideas
from impact import notification_kinds as impact
from innovators import notification_kinds as innovators
from reviews import notification_kinds as reviews
from webhooks import notification_kinds as webhooks


class Kind:
    IDEA_RECEIVED = ideas.IDEA_RECEIVED
    STATUS_CHANGED = ideas.STATUS_CHANGED
    MY_IDEA_STATUS = ideas.MY_IDEA_STATUS
    COMMENT_ON_IDEA = ideas.COMMENT_ON_IDEA
    COMMENT_REPLY = ideas.COMMENT_REPLY
    KUDOS_RECEIVED = ideas.KUDOS_RECEIVED
    VOTED_IDEA_STATUS = ideas.VOTED_IDEA_STATUS
    COMMENT_ON_FOLLOWED = ideas.COMMENT_ON_FOLLOWED
    COAUTHOR_INVITED = ideas.COAUTHOR_INVITED
    COAUTHOR_ANSWERED = ideas.COAUTHOR_ANSWERED
    MENTOR_MESSAGE = reviews.MENTOR_MESSAGE
    REVISION_REQUEST = reviews.REVISION_REQUEST
    REVISION_ANSWERED = reviews.REVISION_ANSWERED
    OVERDUE_DIGEST = reviews.OVERDUE_DIGEST
    PHASE_CHANGED = challenges.PHASE_CHANGED
    RESULTS_ANNOUNCED = challenges.RESULTS_ANNOUNCED
    CHALLENGE_ANNOUNCEMENT = challenges.CHALLENGE_ANNOUNCEMENT
    CHALLENGE_INVITATION = innovators.CHALLENGE_INVITATION
    WEBHOOK_DISABLED = webhooks.WEBHOOK_DISABLED
    FOLLOW_UP_SURVEY = impact.FOLLOW_UP_SURVEY
    FOLLOW_UP_RESULT = impact.FOLLOW_UP_RESULT
    # Events for webhooks only: no member is notified of them or offered them.
    VOTE_THRESHOLD_REACHED = ideas.VOTE_THRESHOLD_REACHED
    WINNER_CHOSEN = reviews.WINNER_CHOSEN

    values = [
        IDEA_RECEIVED,
        STATUS_CHANGED,
        MY_IDEA_STATUS,
        COMMENT_ON_IDEA,
        COMMENT_REPLY,
        COAUTHOR_INVITED,
        COAUTHOR_ANSWERED,
        MENTOR_MESSAGE,
        REVISION_REQUEST,
        REVISION_ANSWERED,
        KUDOS_RECEIVED,
        PHASE_CHANGED,
        RESULTS_ANNOUNCED,
        CHALLENGE_ANNOUNCEMENT,
        VOTED_IDEA_STATUS,
        COMMENT_ON_FOLLOWED,
        OVERDUE_DIGEST,
        CHALLENGE_INVITATION,
        FOLLOW_UP_SURVEY,
        FOLLOW_UP_RESULT,
        WEBHOOK_DISABLED,
        VOTE_THRESHOLD_REACHED,
        WINNER_CHOSEN,
    ]
