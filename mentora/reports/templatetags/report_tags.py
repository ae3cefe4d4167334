from django import template

from mentora.core.templatetags.mentora_tags import get_item
from mentora.surveys.builtin_instruments import scale_name as name

register = template.Library()
register.filter("get_item", get_item)


@register.filter
def scale_name(construct: str) -> str:
    """The name of a scale (`relationship_quality`) in the current language."""
    return name(construct)
