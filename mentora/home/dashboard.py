"""What each role sees first: the dashboard shell, built from the user's memberships."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentora.accounts.access import organisations_for, user_roles
from mentora.accounts.models import Organisation, Role
from mentora.home.participant_work import participant_work
from mentora.home.staff_work import staff_work
from mentora.notifications.models import OutboxMessage, OutboxState


@dataclass
class Card:
    title: Any
    text: Any
    links: list[tuple[Any, str]] = field(default_factory=list)


@dataclass
class OrganisationPanel:
    organisation: Organisation
    roles: list[Any]
    cards: list[Card]
    # What needs the person's attention in this organisation, by the roles they hold.
    staff_work: Any = None
    participant_work: Any = None


@dataclass
class Dashboard:
    is_platform_admin: bool
    admin_cards: list[Card]
    panels: list[OrganisationPanel]


ROLE_CARDS: dict[str, tuple[Any, Any]] = {
    Role.ORG_ADMIN: (
        _("Organisation"),
        _("Invite people, assign roles and keep the organisation's data in order."),
    ),
    Role.PROGRAMME_MANAGER: (
        _("Programmes you run"),
        _("Design programmes, recruit participants, match them and follow the pairs."),
    ),
    Role.SPONSOR: (
        _("Sponsor"),
        _("Follow the programmes you back and read their outcome reports."),
    ),
    Role.MENTOR: (
        _("Your mentoring"),
        _("Your mentees, your meetings and the conversation toolbox."),
    ),
    Role.MENTEE: (
        _("Your learning"),
        _("Your mentor, your learning themes and your next meeting."),
    ),
    Role.LINE_MANAGER: (
        _("Your team members in programmes"),
        _("Approve nominations and follow the learning themes you agreed."),
    ),
}


# Where each role's work is, besides the organisation page.
ROLE_LINKS: dict[str, list[tuple[Any, str]]] = {
    Role.ORG_ADMIN: [(_("Programmes"), "programme_list")],
    Role.PROGRAMME_MANAGER: [(_("Programmes"), "programme_list")],
    Role.SPONSOR: [(_("Programmes"), "programme_list")],
    Role.MENTOR: [
        (_("My programmes"), "my_programmes"),
        (_("My matching"), "my_matching"),
        (_("Events"), "my_events"),
        (_("My surveys"), "my_surveys"),
    ],
    Role.MENTEE: [
        (_("My programmes"), "my_programmes"),
        (_("My matching"), "my_matching"),
        (_("Events"), "my_events"),
        (_("My surveys"), "my_surveys"),
    ],
    Role.LINE_MANAGER: [
        (_("Approvals"), "line_manager_approvals"),
        (_("Team members' learning themes"), "team_goals"),
        (_("My surveys"), "my_surveys"),
    ],
}


def dashboard_for(user: Any) -> Dashboard:
    admin_cards: list[Card] = []
    if user.is_superuser:
        admin_cards.append(
            Card(
                _("Platform administration"),
                _("Manage all organisations and users, and review the audit log."),
                [
                    (_("Audit log"), reverse("audit_log")),
                    (_("Administration"), reverse("admin:index")),
                ],
            )
        )
        failed = OutboxMessage.objects.filter(state=OutboxState.FAILED).count()
        if failed:
            admin_cards.append(
                Card(
                    _("E-mails refused"),
                    ngettext(
                        "The mail server refused %(count)d e-mail for good.",
                        "The mail server refused %(count)d e-mails for good.",
                        failed,
                    )
                    % {"count": failed},
                    [
                        (
                            _("See them"),
                            reverse("admin:notifications_outboxmessage_changelist")
                            + "?state__exact=failed",
                        )
                    ],
                )
            )
    panels = []
    for organisation in organisations_for(user).order_by("name"):
        roles = sorted(user_roles(user, organisation))
        cards = []
        for role in roles:
            title, text = ROLE_CARDS[role]
            links: list[tuple[Any, str]] = [
                (_("Open"), reverse("organisation_detail", args=[organisation.slug]))
            ]
            if role in (Role.ORG_ADMIN, Role.PROGRAMME_MANAGER):
                links.append(
                    (_("Members"), reverse("organisation_members", args=[organisation.slug]))
                )
                links.append((_("People"), reverse("people_directory", args=[organisation.slug])))
            links.extend((label, reverse(name)) for label, name in ROLE_LINKS.get(role, []))
            if role in (Role.ORG_ADMIN, Role.SPONSOR):
                links.append(
                    (
                        _("Outcomes across programmes"),
                        reverse("organisation_outcomes", args=[organisation.slug]),
                    )
                )
            cards.append(Card(title, text, links))
        panels.append(
            OrganisationPanel(
                organisation=organisation,
                roles=[Role(r).label for r in roles],
                cards=cards,
                staff_work=staff_work(user, organisation, roles),
                participant_work=participant_work(user, organisation, roles),
            )
        )
    return Dashboard(is_platform_admin=user.is_superuser, admin_cards=admin_cards, panels=panels)
