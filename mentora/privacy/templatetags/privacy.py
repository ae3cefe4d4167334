"""The retention schedule where people work: in a pair's space and on a programme's page
(templates of the apps below load these tags, so those apps need not import this one)."""

from __future__ import annotations

from typing import Any

from django import template

from mentora.privacy.models import PrivacySettings
from mentora.privacy.services import pair_texts_due

register = template.Library()


@register.inclusion_tag("privacy/_pair_retention.html")
def pair_retention(pair: Any) -> dict[str, Any]:
    schedule = PrivacySettings.of(pair.programme.organisation)
    return {"pair": pair, "schedule": schedule, "due": pair_texts_due(pair, schedule)}


@register.inclusion_tag("privacy/_programme_retention.html")
def programme_retention(programme: Any) -> dict[str, Any]:
    return {"programme": programme, "schedule": PrivacySettings.of(programme.organisation)}
