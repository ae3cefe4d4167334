"""The bar of the people directory that invites the chosen people to a programme.

The directory belongs to people, a layer below programmes: its page draws this bar from
here, so that the people app never imports programmes."""

from __future__ import annotations

from typing import Any

from django import template

from mentora.accounts.models import Organisation
from mentora.programmes.models import ParticipantRole

register = template.Library()


@register.inclusion_tag("programmes/_people_invite_bar.html")
def people_invite_bar(organisation: Organisation) -> dict[str, Any]:
    return {
        "programmes": organisation.programmes.order_by("-start_date", "name"),
        "roles": ParticipantRole.choices,
    }
