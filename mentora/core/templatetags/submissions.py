"""`{% submission_input %}`: a form's hidden one-time token, new at every use (see
`mentora.core.submissions`), for forms written out by hand, one per row if need be."""

from __future__ import annotations

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def submission_input() -> SafeString:
    return format_html('<input type="hidden" name="submission" value="{}">', uuid.uuid4())
