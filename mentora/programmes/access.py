"""Who may see or change a programme and its participants."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from mentora.accounts.access import (
    STAFF_ROLES,
    Viewer,
    is_platform_admin,
    refuse,
    roles_in_any,
    signed_in,
    user_roles,
)
from mentora.accounts.models import Membership, Organisation, Role
from mentora.people.models import Person
from mentora.programmes.guest_models import Guest, GuestStatus
from mentora.programmes.models import (
    Participant,
    ParticipantQuerySet,
    ParticipantRole,
    Programme,
    ProgrammeGoal,
)


def can_manage_programme(user: Viewer, programme: Programme) -> bool:
    """Whether `user` may change `programme` and see its participants' answers."""
    if is_platform_admin(user):
        return True
    if not signed_in(user):
        return False
    # The programme's own manager team.
    if programme.managers.filter(pk=user.pk).exists():
        return True
    # Organisation admins and programme managers of the owning organisation.
    return bool(user_roles(user, programme.organisation) & STAFF_ROLES)


def can_view_programme(user: Viewer, programme: Programme) -> bool:
    """Whether `user` may read the programme's design, health check and pipeline counts."""
    if can_manage_programme(user, programme):
        return True
    if not signed_in(user):
        return False
    # Sponsors back the programme and follow it without changing it.
    if programme.sponsors.filter(pk=user.pk).exists():
        return True
    # Staff of a contributing organisation follow fairness in a cross-organisation programme.
    return bool(roles_in_any(user, programme.organisation_ids()) & STAFF_ROLES)


def access_programme(user: Viewer, programme_id: int, *, write: bool = False) -> Programme:
    """The programme if `user` may read it (and change it when `write`).

    Outsiders get 404, the same as for a missing programme; members of a taking-part
    organisation who may not read the management pages get 403.
    """
    programme = get_object_or_404(Programme.objects.select_related("organisation"), pk=programme_id)
    # Those running the programme (platform admins included) may read and write.
    if can_manage_programme(user, programme):
        return programme
    # Sponsors and partner staff may read; never write.
    if can_view_programme(user, programme):
        if write:
            raise PermissionDenied
        return programme
    refuse(user, programme.organisation_ids())


def programmes_for(user: Viewer) -> QuerySet[Programme]:
    """The programmes whose management pages `user` may read."""
    if is_platform_admin(user):
        return Programme.objects.all()
    if signed_in(user):
        staff_orgs = Membership.objects.filter(user=user, role__in=STAFF_ROLES).values(
            "organisation"
        )
        return Programme.objects.filter(
            Q(managers=user)
            | Q(sponsors=user)
            | Q(organisation__in=staff_orgs)
            | Q(contributions__organisation__in=staff_orgs)
        ).distinct()
    return Programme.objects.none()


def programmes_run_by(user: Viewer, organisation: Organisation) -> QuerySet[Programme]:
    """The programmes of `organisation` whose daily work falls to `user`.

    Organisation admins answer for all of them. A programme manager runs those whose
    manager team they are on, and those with no team yet, whose pending work reaches every
    programme manager of the organisation (`services.reminders.manager_users`). Anyone
    else runs only the programmes whose manager team they are on.
    """
    if not signed_in(user):
        return Programme.objects.none()
    programmes = Programme.objects.filter(organisation=organisation)
    roles = user_roles(user, organisation)
    if Role.ORG_ADMIN in roles:
        return programmes
    team = Programme.managers.through.objects.filter(programme=OuterRef("pk"))
    on_team = Exists(team.filter(user=user.pk))
    if Role.PROGRAMME_MANAGER in roles:
        return programmes.filter(on_team | ~Exists(team))
    return programmes.filter(on_team)


def organisations_for_new_programmes(user: Viewer) -> QuerySet[Organisation]:
    """Where `user` may create a programme: organisations in which they are staff."""
    if is_platform_admin(user):
        return Organisation.objects.all()
    if signed_in(user):
        return Organisation.objects.filter(
            memberships__user=user, memberships__role__in=STAFF_ROLES
        ).distinct()
    return Organisation.objects.none()


def partner_organisations_named(
    user: Viewer, programme: Programme, name: str
) -> list[Organisation]:
    """The organisations a programme's managers name as a partner: by their exact name
    (in any case) or their short name; more than one when several share that name.

    Only those who may change the programme may look one up, and only by what they
    already know, so the list of organisations on the platform is never shown.
    """
    if not can_manage_programme(user, programme):
        raise PermissionDenied
    name = " ".join(name.split())
    return list(
        Organisation.objects.filter(Q(slug=name.lower()) | Q(name__iexact=name))
        .exclude(pk=programme.organisation_id)
        .order_by("pk")
    )


def access_programme_by_token(user: Viewer, token: str) -> Programme:
    """A programme through its published application link, while applications are open.

    The link is the secret; a wrong or closed link answers 404.
    """
    programme = get_object_or_404(
        Programme.objects.with_applications_open().select_related("organisation"),
        application_token=token,
    )
    if is_platform_admin(user):
        return programme
    organisation_ids = programme.organisation_ids()
    # A shared link still shows nothing to people outside the taking-part organisations.
    if roles_in_any(user, organisation_ids):
        return programme
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is not None and person.organisation_id in organisation_ids:
        return programme
    raise Http404


def applicant_person(user: Viewer, programme: Programme) -> Person | None:
    """The HR record through which `user` may apply to `programme`, or None.

    It must belong to one of the programme's organisations.
    """
    if not user.is_authenticated:
        return None
    return Person.objects.filter(
        user_id=user.pk, organisation_id__in=programme.organisation_ids()
    ).first()


# Participants ---------------------------------------------------------------------------------


def access_participant(user: Viewer, participant_id: int, *, write: bool = False) -> Participant:
    """A participation, with its answers, for those running the programme or its owner.

    The participant reads their own (never writes through this door: they apply or
    withdraw through their own pages). Sponsors, line managers and other applicants
    never see answers: 403 when they belong to a taking-part organisation, else 404.
    """
    participant = get_object_or_404(
        Participant.objects.select_related("programme__organisation", "person", "user"),
        pk=participant_id,
    )
    programme = participant.programme
    # Managers see everything about the participants of their programmes.
    if can_manage_programme(user, programme):
        return participant
    # The participant reads their own participation and answers.
    if user.is_authenticated and participant.user_id == user.pk and not write:
        return participant
    # Sponsors and partner staff may know the programme, not read answers.
    if can_view_programme(user, programme):
        raise PermissionDenied
    refuse(user, programme.organisation_ids())


def access_own_participation(user: Viewer, participant_id: int) -> Participant:
    """A participation its own participant may act on (apply, withdraw).

    Managers act through `access_participant`; anyone else in a taking-part
    organisation gets 403, outsiders 404.
    """
    participant = get_object_or_404(
        Participant.objects.select_related("programme__organisation", "person", "user"),
        pk=participant_id,
    )
    # Only the participant themselves.
    if user.is_authenticated and participant.user_id == user.pk:
        return participant
    programme = participant.programme
    if is_platform_admin(user) or can_view_programme(user, programme):
        raise PermissionDenied
    refuse(user, programme.organisation_ids())


def participations_of(user: Viewer) -> QuerySet[Participant]:
    """A user's own participations in programmes, whatever their status."""
    if not user.is_authenticated:
        return Participant.objects.none()
    return Participant.objects.filter(user_id=user.pk)


def is_line_manager_of(user: Viewer, participant: Participant) -> bool:
    """Whether `user` is in the participant's reporting line (direct or indirect manager)."""
    if not signed_in(user):
        return False
    person = getattr(user, "person", None)
    if person is None:
        return False
    return any(manager.pk == person.pk for manager in participant.person.management_chain())


def access_participant_as_line_manager(user: Viewer, participant_id: int) -> Participant:
    """A report's participation, for their line manager: themes and status, never answers.

    Only mentees' line managers decide approvals; others in the organisation get 403,
    outsiders 404.
    """
    participant = get_object_or_404(
        Participant.objects.select_related("programme__organisation", "person__manager"),
        pk=participant_id,
    )
    # Admins may act for an absent line manager.
    if is_platform_admin(user):
        return participant
    # The mentee's direct or indirect manager.
    if is_line_manager_of(user, participant):
        return participant
    refuse(user, participant.programme.organisation_ids())


def line_manager_participations(user: Viewer) -> ParticipantQuerySet:
    """Participations of `user`'s direct and indirect reports."""
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is None:
        return Participant.objects.none()
    return Participant.objects.reports_of(person)


def line_manager_mentees(user: Viewer) -> ParticipantQuerySet:
    """The mentee participations of `user`'s reports: those whose taking part a line
    manager approves, and whose learning themes they follow."""
    return line_manager_participations(user).filter(role=ParticipantRole.MENTEE)


def access_programme_goal(user: Viewer, programme_id: int, goal_id: int) -> ProgrammeGoal:
    """A goal of a programme, to change or remove: for those running the programme.

    Sponsors and partner staff, who read the design, get 403; outsiders 404.
    """
    programme = access_programme(user, programme_id, write=True)
    return get_object_or_404(
        ProgrammeGoal.objects.select_related("programme__organisation"),
        pk=goal_id,
        programme=programme,
    )


# Guests ---------------------------------------------------------------------------------------


def access_guest(user: Viewer, programme_id: int, guest_id: int) -> Guest:
    """A guest of a programme, for those who run it: deciding on an application is a
    write, so sponsors and partner staff get 403 and outsiders 404."""
    programme = access_programme(user, programme_id, write=True)
    return get_object_or_404(
        Guest.objects.select_related("programme"), pk=guest_id, programme=programme
    )


def access_guest_by_token(token: str) -> Guest:
    """An invitation to be a guest, through the link in its e-mail, while it is open.

    The link is the secret; a wrong, used or withdrawn link answers 404.
    """
    return get_object_or_404(
        Guest.objects.select_related("programme__organisation"),
        token=token,
        status=GuestStatus.INVITED,
    )


def access_programme_for_guests(token: str) -> Programme:
    """A programme through its public application link, for someone with no account and
    no HR record, while applications are open. A wrong or closed link answers 404."""
    return get_object_or_404(
        Programme.objects.with_applications_open().select_related("organisation"),
        application_token=token,
    )
