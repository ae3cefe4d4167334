from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`mapping|get_item:key`: a dictionary lookup with a variable key."""
    return mapping.get(key) if mapping else None


@register.filter
def scale_name(construct: str) -> str:
    """The name of a scale (`relationship_quality`) in the current language."""
    from mentora.surveys.builtin_instruments import scale_name as name

    return name(construct)
