"""The fairness report as the page, the PDF and the XLSX show it: the engine's figures
(`services/fairness.py`) with labels in the reader's language. Nothing is computed here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from mentora.core.spreadsheets import new_workbook, xlsx_bytes
from mentora.matching.fairness import Fairness, GroupFigures, LoadBand
from mentora.rounds.explain import (
    attribute_label,
    criterion_label,
    finding_text,
    group_label,
    reason_label,
)
from mentora.rounds.models import MatchingRound
from mentora.rounds.services.rounds import OrderCheckStatus

# The criteria named beside a group's score on the page (all of them are in the XLSX).
TOP_CRITERIA = 3


@dataclass
class Row:
    label: str
    figures: GroupFigures
    made_of: str
    reasons: str

    @property
    def percent(self) -> int:
        """The share matched in whole per cent."""
        return round(self.figures.matched_share * 100)


@dataclass
class Table:
    label: str
    hidden: bool
    rows: list[Row] = field(default_factory=list)


def _made_of(figures: GroupFigures) -> str:
    """The criteria that make most of a group's score, with their shares."""
    if not figures.score_shares:
        return ""
    shares = sorted(
        ((c, s) for c, s in figures.score_shares.items() if s),
        key=lambda item: -(item[1] or 0),
    )
    return ", ".join(
        f"{criterion_label(c)} {round((s or 0) * 100)} %" for c, s in shares[:TOP_CRITERIA]
    )


def _reasons(figures: GroupFigures) -> str:
    return ", ".join(f"{reason_label(code)} ({n})" for code, n in (figures.reasons or {}).items())


def _row(figures: GroupFigures) -> Row:
    return Row(group_label(figures.group), figures, _made_of(figures), _reasons(figures))


def load_label(band: LoadBand) -> str:
    if band.low == band.high:
        return str(band.low)
    return f"{band.low}–{band.high}"


def presented(matching_round: MatchingRound, fairness: Fairness) -> dict[str, Any]:
    """What the templates show."""
    weights = (matching_round.policy or {}).get("weights") or {}
    return {
        "overall": _row(fairness.overall),
        "tables": [
            Table(attribute_label(b.attribute), b.hidden, [_row(g) for g in b.groups])
            for b in fairness.breakdowns
        ],
        "load": [(load_label(band), band.mentors) for band in fairness.mentor_load],
        "findings": [finding_text(f, weights) for f in fairness.findings],
        "minimum": fairness.minimum,
        "check": matching_round.order_check or {},
        "check_done": (matching_round.order_check or {}).get("status") == OrderCheckStatus.DONE,
    }


def fairness_xlsx(matching_round: MatchingRound, fairness: Fairness) -> bytes:
    """One sheet per part of the report, every criterion in a column of its own."""
    shown = presented(matching_round, fairness)
    criteria = sorted({c for g in _all_groups(fairness) for c in (g.score_shares or {})})
    workbook = new_workbook()
    groups = workbook.active
    assert groups is not None
    groups.title = _("Groups")[:31]
    groups.append(
        [
            _("Breakdown"),
            _("Group"),
            _("Mentees"),
            _("Matched"),
            _("Share matched"),
            _("Mean score"),
            _("Stated own choices"),
            _("Got an own choice"),
            *(
                _("Share of score: %(criterion)s") % {"criterion": criterion_label(c)}
                for c in criteria
            ),
        ]
    )
    for label, row in [(_("All mentees"), shown["overall"])] + [
        (table.label, r) for table in shown["tables"] for r in table.rows
    ]:
        g = row.figures
        groups.append(
            [
                label,
                row.label if g is not fairness.overall else "",
                g.mentees,
                g.matched,
                g.matched_share,
                g.mean_score,
                g.wished,
                g.own_choice,
                *((g.score_shares or {}).get(c) for c in criteria),
            ]
        )
    load = workbook.create_sheet(_("Mentor load")[:31])
    load.append([_("Mentees taken"), _("Mentors")])
    for label, mentors in shown["load"]:
        load.append([label, mentors])
    findings = workbook.create_sheet(_("Findings")[:31])
    findings.append([_("Finding")])
    for text in shown["findings"]:
        findings.append([text])
    check = workbook.create_sheet(_("Order check")[:31])
    figures = shown["check"]
    status = {
        OrderCheckStatus.QUEUED: _("Waiting for the background worker"),
        OrderCheckStatus.DONE: _("Done"),
        OrderCheckStatus.FAILED: _("The check could not be completed."),
    }.get(figures.get("status", ""), _("Not checked yet."))
    check.append([_("Status"), status])
    if shown["check_done"]:
        for label, key in (
            (_("Total score"), "objective"),
            (_("Total score, shuffled"), "shuffled_objective"),
            (_("Same total score (ties aside)"), "same_objective"),
            (_("Pairs that differ"), "pairs_differ"),
        ):
            check.append([label, figures.get(key)])
    for sheet in (groups, load, findings, check):
        sheet.append([])
        sheet.append(
            [
                _("Groups of fewer than %(minimum)s mentees are shown together.")
                % {"minimum": fairness.minimum}
            ]
        )
    return xlsx_bytes(workbook)


def _all_groups(fairness: Fairness) -> list[GroupFigures]:
    return [fairness.overall, *(g for b in fairness.breakdowns for g in b.groups)]
