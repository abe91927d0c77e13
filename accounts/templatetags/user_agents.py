from django import template

from accounts.user_agents import describe

register = template.Library()


@register.filter
def browser_and_device(user_agent: str) -> str:
    """"Chrome 156 on Linux" for a stored User-Agent string (accounts.user_agents.describe)."""
    return describe(user_agent)
