from . import rules


def roles(request):
    """The signed-in member's roles, for the navigation."""
    user = request.user
    return {"user_is_triage": rules.is_triage(user), "user_is_mentor": rules.is_mentor(user)}
