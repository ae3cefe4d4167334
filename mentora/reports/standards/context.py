"""What each standard's criteria are read from: the programme's facts, its health check,
and links to the pages that show the evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from mentora.programmes.health import RED, health_items
from mentora.reports.standards.facts import Facts
from mentora.reports.standards.model import FROM_LIGHT, PARTLY, Criterion, Link, share_criterion


class Context:
    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.programme = facts.programme
        self.health = health_items(facts.programme)
        self.pairs = facts.pairs
        self.people = facts.people

    def link(self, label: str, name: str, anchor: str = "", *, manage_only: bool = False) -> Link:
        url = reverse(name, args=[self.programme.pk]) + (f"#{anchor}" if anchor else "")
        return Link(label, url, manage_only)

    def from_health(self, code: str) -> str:
        """A check of the health check as a criterion's status (amber is partly met)."""
        return FROM_LIGHT.get(self.health[code].light, PARTLY)

    def check_criterion(
        self,
        code: str,
        title: str,
        weight: int,
        check: str,
        *,
        there: str,
        missing: str,
        gap: str,
        links: list[Link],
    ) -> Criterion:
        """A criterion one check of the health check decides: the check's light as its
        status, and as its evidence whether what the check looks for is there (in part, on
        amber) or missing."""
        found = self.health[check].light != RED
        status = self.from_health(check)
        return Criterion(code, title, weight, status, [there if found else missing], gap, links)

    def pair_share(
        self,
        code: str,
        title: str,
        weight: int,
        part: int,
        counted: Any,
        *,
        more: Sequence[str] = (),
        gap: str,
        none_gap: str | None = None,
        links: list[Link],
    ) -> Criterion:
        """A criterion met by the share `part` of all the programme's pairs, due once the
        programme has started; while there are no pairs, "No pairs yet." is its evidence."""
        return share_criterion(
            code,
            title,
            weight,
            part,
            self.pairs.total,
            counted,
            more=more,
            none=_("No pairs yet."),
            gap=gap,
            none_gap=none_gap,
            links=links,
            due=self.facts.started,
        )

    def design_links(self) -> list[Link]:
        return [
            self.link(_("Health check"), "programme_health"),
            self.link(_("Programme design"), "programme_edit", manage_only=True),
        ]
