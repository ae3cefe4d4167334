"""Template filters every app's pages use."""

from typing import Any

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`mapping|get_item:key`: a dictionary lookup with a variable key."""
    return mapping.get(key) if mapping else None


@register.filter
def initials(name: Any) -> str:
    """`name|initials`: the first letters of the first and last word, for an avatar."""
    words = [word for word in str(name or "").split() if word[:1].isalpha()]
    if not words:
        return ""
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@register.simple_tag(takes_context=True)
def current(context: Any, *url_names: str) -> str:
    """`{% current "name" %}`: ` aria-current="page"` on the link to the page being shown."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return mark_safe(' aria-current="page"') if match and match.url_name in url_names else ""
