from django import template

from innovators.selectors import questionnaire_prompt_needed

register = template.Library()


@register.simple_tag
def questionnaire_prompt_for(user) -> bool:
    """Whether to invite ``user`` to answer the open questionnaire (one query; False for visitors and staff)."""
    return questionnaire_prompt_needed(user)
