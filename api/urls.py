from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import views, views_docs

app_name = "api"

urlpatterns = [
    path("", views_docs.api_docs, name="docs"),
    path("v1/challenges/", views.ChallengeList.as_view(), name="challenges"),
    path("v1/challenges/<slug:slug>/", views.ChallengeDetail.as_view(), name="challenge"),
    path("v1/challenges/<slug:slug>/follow/", views.ChallengeFollow.as_view(), name="challenge_follow"),
    path("v1/ideas/", views.IdeaList.as_view(), name="ideas"),
    path("v1/ideas/mine/", views.IdeaMine.as_view(), name="ideas_mine"),
    path("v1/ideas/<int:pk>/", views.IdeaDetail.as_view(), name="idea"),
    path("v1/ideas/<int:pk>/submit/", views.IdeaSubmit.as_view(), name="idea_submit"),
    path("v1/ideas/<int:pk>/withdraw/", views.IdeaWithdraw.as_view(), name="idea_withdraw"),
    path("v1/ideas/<int:pk>/vote/", views.IdeaVote.as_view(), name="idea_vote"),
    path("v1/ideas/<int:pk>/follow/", views.IdeaFollow.as_view(), name="idea_follow"),
    path("v1/ideas/<int:pk>/comments/", views.IdeaComments.as_view(), name="idea_comments"),
    path("v1/ideas/<int:pk>/status/", views.IdeaStatusChange.as_view(), name="idea_status"),
    path("v1/ideas/<int:pk>/screenings/", views.IdeaScreenings.as_view(), name="idea_screenings"),
    path("v1/comments/<int:pk>/", views.CommentDetail.as_view(), name="comment"),
    path("v1/notifications/", views.NotificationList.as_view(), name="notifications"),
    path("v1/notifications/<int:pk>/read/", views.NotificationRead.as_view(), name="notification_read"),
    path("v1/notifications/read-all/", views.NotificationReadAll.as_view(), name="notifications_read_all"),
    path("v1/opportunity-scores/", views.OpportunityScores.as_view(), name="opportunity_scores"),
    path("v1/metrics/", views.Metrics.as_view(), name="metrics"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Last: any other address under /api/ is a 404 in the API's error shape.
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not_found"),
]
