"""Template filters every app's pages use."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`mapping|get_item:key`: a dictionary lookup with a variable key."""
    return mapping.get(key) if mapping else None
