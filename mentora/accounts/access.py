"""Who may see or change what. The one place that decides it.

Views never fetch a protected object any other way. Outsiders get the same 404
for "missing" and "not yours", so the existence of an organisation is never
revealed to someone outside it; a member whose role only allows reading gets
403 on a write.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from mentora.accounts.models import Membership, Organisation, Role, User

# Roles that run the organisation's mentoring: they see its directory and members.
STAFF_ROLES = frozenset({Role.ORG_ADMIN, Role.PROGRAMME_MANAGER})
# Roles that may change the organisation itself and who belongs to it.
ADMIN_ROLES = frozenset({Role.ORG_ADMIN})


def _is_platform_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def user_roles(user: Any, organisation: Organisation) -> frozenset[str]:
    """The roles `user` holds in `organisation` (empty for outsiders and anonymous users)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_mentora_roles", {})
    if organisation.pk not in cache:
        cache[organisation.pk] = frozenset(
            Membership.objects.filter(user=user, organisation=organisation).values_list(
                "role", flat=True
            )
        )
    return cache[organisation.pk]


def organisations_for(user: Any) -> QuerySet[Organisation]:
    """The organisations `user` may see: all for a platform admin, else their own."""
    if _is_platform_admin(user):
        return Organisation.objects.all()
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct()


def access_organisation(user: Any, slug: str, *, write: bool = False) -> Organisation:
    """The organisation `slug` if `user` may see it (and change it when `write`)."""
    try:
        organisation = Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise Http404 from None
    # Platform admins run the installation and may do anything.
    if _is_platform_admin(user):
        return organisation
    roles = user_roles(user, organisation)
    # Outsiders must not learn that the organisation exists.
    if not roles:
        raise Http404
    # Members may read; only organisation admins may change.
    if write and not roles & ADMIN_ROLES:
        raise PermissionDenied
    return organisation


def access_organisation_staff_area(user: Any, slug: str, *, write: bool = False) -> Organisation:
    """The organisation if `user` may use its staff pages (members, directory).

    Writes there (inviting, changing roles) are for organisation admins only.
    """
    organisation = access_organisation(user, slug)
    if _is_platform_admin(user):
        return organisation
    roles = user_roles(user, organisation)
    # Mentors, mentees, sponsors and line managers are members but not staff.
    if not roles & STAFF_ROLES:
        raise PermissionDenied
    # Programme managers read the member list; only organisation admins change it.
    if write and not roles & ADMIN_ROLES:
        raise PermissionDenied
    return organisation


def access_membership(user: Any, slug: str, membership_id: int) -> Membership:
    """A membership `user` may change (revoke, alter)."""
    organisation = access_organisation_staff_area(user, slug, write=True)
    try:
        return Membership.objects.select_related("user").get(
            pk=membership_id, organisation=organisation
        )
    except Membership.DoesNotExist:
        raise Http404 from None


def access_audit_log(user: Any) -> None:
    """The installation-wide audit log is for platform admins; others do not see it exists."""
    if not _is_platform_admin(user):
        raise Http404


def can_see_sensitive_attributes(user: Any, organisation: Organisation) -> bool:
    """Gender and similar attributes: platform admins and explicitly trusted staff only."""
    if _is_platform_admin(user):
        return True
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user,
        organisation=organisation,
        role__in=STAFF_ROLES,
        sees_sensitive_attributes=True,
    ).exists()


def is_staff_somewhere(user: User) -> bool:
    if _is_platform_admin(user):
        return True
    return Membership.objects.filter(user=user, role__in=STAFF_ROLES).exists()


def access_person(user: Any, organisation: Organisation, person_id: int) -> Any:
    """A person in `organisation`'s directory; the caller has already checked staff access."""
    from mentora.people.models import Person

    try:
        return Person.objects.select_related("org_unit", "manager", "organisation").get(
            pk=person_id, organisation=organisation
        )
    except Person.DoesNotExist:
        raise Http404 from None


# Programmes ---------------------------------------------------------------------------------


def _programme_model() -> Any:
    # Imported late: the programmes app depends on accounts, not the other way round.
    from mentora.programmes.models import Programme

    return Programme


def _roles_in_any(user: Any, organisation_ids: set[int]) -> frozenset[str]:
    """Every role `user` holds in any of the organisations."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(
        Membership.objects.filter(user=user, organisation_id__in=organisation_ids).values_list(
            "role", flat=True
        )
    )


def can_manage_programme(user: Any, programme: Any) -> bool:
    """Whether `user` may change `programme` and see its participants' answers."""
    if _is_platform_admin(user):
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    # The programme's own manager team.
    if programme.managers.filter(pk=user.pk).exists():
        return True
    # Organisation admins and programme managers of the owning organisation.
    return bool(user_roles(user, programme.organisation) & STAFF_ROLES)


def can_view_programme(user: Any, programme: Any) -> bool:
    """Whether `user` may read the programme's design, health check and pipeline counts."""
    if can_manage_programme(user, programme):
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    # Sponsors back the programme and follow it without changing it.
    if programme.sponsors.filter(pk=user.pk).exists():
        return True
    # Staff of a contributing organisation follow fairness in a cross-organisation programme.
    return bool(_roles_in_any(user, programme.organisation_ids()) & STAFF_ROLES)


def access_programme(user: Any, programme_id: int, *, write: bool = False) -> Any:
    """The programme if `user` may read it (and change it when `write`).

    Outsiders get 404, the same as for a missing programme; members of a taking-part
    organisation who may not read the management pages get 403.
    """
    programme_model = _programme_model()
    try:
        programme = programme_model.objects.select_related("organisation").get(pk=programme_id)
    except programme_model.DoesNotExist:
        raise Http404 from None
    # Platform admins run the installation and may do anything.
    if _is_platform_admin(user):
        return programme
    # Those running the programme may read and write.
    if can_manage_programme(user, programme):
        return programme
    # Sponsors and partner staff may read; never write.
    if can_view_programme(user, programme):
        if write:
            raise PermissionDenied
        return programme
    # Members of a taking-part organisation learn only that they may not look.
    if _roles_in_any(user, programme.organisation_ids()):
        raise PermissionDenied
    # Everyone else must not learn that the programme exists.
    raise Http404


def programmes_for(user: Any) -> QuerySet[Any]:
    """The programmes whose management pages `user` may read."""
    programme_model = _programme_model()
    if _is_platform_admin(user):
        return programme_model.objects.all()
    if not user.is_authenticated or not user.is_active:
        return programme_model.objects.none()
    staff_orgs = Membership.objects.filter(user=user, role__in=STAFF_ROLES).values("organisation")
    from django.db.models import Q

    return programme_model.objects.filter(
        Q(managers=user)
        | Q(sponsors=user)
        | Q(organisation__in=staff_orgs)
        | Q(contributions__organisation__in=staff_orgs)
    ).distinct()


def organisations_for_new_programmes(user: Any) -> QuerySet[Organisation]:
    """Where `user` may create a programme: organisations in which they are staff."""
    if _is_platform_admin(user):
        return Organisation.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=STAFF_ROLES
    ).distinct()


def access_participant(user: Any, participant_id: int, *, write: bool = False) -> Any:
    """A participation, with its answers, for those running the programme or its owner.

    The participant reads their own (never writes through this door: they apply or
    withdraw through their own pages). Sponsors, line managers and other applicants
    never see answers: 403 when they belong to a taking-part organisation, else 404.
    """
    from mentora.programmes.models import Participant

    try:
        participant = Participant.objects.select_related(
            "programme__organisation", "person", "user"
        ).get(pk=participant_id)
    except Participant.DoesNotExist:
        raise Http404 from None
    programme = participant.programme
    # Managers see everything about the participants of their programmes.
    if can_manage_programme(user, programme):
        return participant
    # The participant reads their own participation and answers.
    if user.is_authenticated and participant.user_id == user.pk and not write:
        return participant
    # Anyone else in a taking-part organisation: forbidden, without seeing answers.
    if _roles_in_any(user, programme.organisation_ids()) or can_view_programme(user, programme):
        raise PermissionDenied
    raise Http404


def is_line_manager_of(user: Any, participant: Any) -> bool:
    """Whether `user` is in the participant's reporting line (direct or indirect manager)."""
    if not user.is_authenticated or not user.is_active:
        return False
    person = getattr(user, "person", None)
    if person is None:
        return False
    return any(manager.pk == person.pk for manager in participant.person.management_chain())


def access_participant_as_line_manager(user: Any, participant_id: int) -> Any:
    """A report's participation, for their line manager: themes and status, never answers.

    Only mentees' line managers decide approvals; others in the organisation get 403,
    outsiders 404.
    """
    from mentora.programmes.models import Participant

    try:
        participant = Participant.objects.select_related(
            "programme__organisation", "person__manager"
        ).get(pk=participant_id)
    except Participant.DoesNotExist:
        raise Http404 from None
    # Admins may act for an absent line manager.
    if _is_platform_admin(user):
        return participant
    # The mentee's direct or indirect manager.
    if is_line_manager_of(user, participant):
        return participant
    if _roles_in_any(user, participant.programme.organisation_ids()):
        raise PermissionDenied
    raise Http404


def line_manager_participations(user: Any) -> QuerySet[Any]:
    """Participations of `user`'s direct and indirect reports."""
    from mentora.programmes.models import Participant

    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is None:
        return Participant.objects.none()
    return Participant.objects.reports_of(person)


def access_programme_by_token(user: Any, token: str) -> Any:
    """A programme through its published application link, while applications are open.

    The link is the secret; a wrong or closed link answers 404.
    """
    programme_model = _programme_model()
    try:
        programme = (
            programme_model.objects.with_applications_open()
            .select_related("organisation")
            .get(application_token=token)
        )
    except programme_model.DoesNotExist:
        raise Http404 from None
    if _is_platform_admin(user):
        return programme
    organisation_ids = programme.organisation_ids()
    # A shared link still shows nothing to people outside the taking-part organisations.
    if _roles_in_any(user, organisation_ids):
        return programme
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is not None and person.organisation_id in organisation_ids:
        return programme
    raise Http404


def access_import_run(user: Any, slug: str, run_id: int) -> Any:
    """An HR import of the organisation: organisation admins only (it changes people data)."""
    from mentora.people.models import ImportRun

    organisation = access_organisation_staff_area(user, slug, write=True)
    try:
        return ImportRun.objects.select_related("organisation").get(
            pk=run_id, organisation=organisation
        )
    except ImportRun.DoesNotExist:
        raise Http404 from None


def access_round(user: Any, round_id: int) -> Any:
    """A matching round: only those running the programme see proposals and scores.

    Sponsors and others in a taking-part organisation get 403, outsiders 404.
    """
    from mentora.rounds.models import MatchingRound

    try:
        matching_round = MatchingRound.objects.select_related(
            "programme__organisation", "previous"
        ).get(pk=round_id)
    except MatchingRound.DoesNotExist:
        raise Http404 from None
    # Reading a round already means seeing who could be matched with whom: managers only.
    access_programme(user, matching_round.programme_id, write=True)
    return matching_round


def access_proposal(user: Any, round_id: int, proposal_id: int) -> Any:
    """A proposal of a round the user may manage."""
    matching_round = access_round(user, round_id)
    try:
        return matching_round.proposals.select_related(
            "mentee__person", "mentor__person", "matching_round__programme"
        ).get(pk=proposal_id)
    except ObjectDoesNotExist:
        raise Http404 from None


def _member_or_manager_or_deny(user: Any, member_ids: set[int], programme: Any) -> None:
    # The two people the object is about (mentee and mentor, learner and expert).
    if user.is_authenticated and user.pk in member_ids:
        return
    # Those running the programme follow every pair and connection.
    if can_manage_programme(user, programme):
        return
    # Sponsors, line managers and colleagues in the programme's organisations may not look.
    if _roles_in_any(user, programme.organisation_ids()):
        raise PermissionDenied
    raise Http404


def access_pair(user: Any, pair_id: int) -> Any:
    """A published pair: its two members and those running the programme.

    Anyone else in a taking-part organisation gets 403, outsiders 404.
    """
    from mentora.relationships.models import Pair

    try:
        pair = Pair.objects.select_related(
            "programme__organisation", "mentee__person", "mentor__person"
        ).get(pk=pair_id)
    except Pair.DoesNotExist:
        raise Http404 from None
    _member_or_manager_or_deny(user, pair.member_user_ids(), pair.programme)
    return pair


def access_own_suggestions(user: Any, round_id: int) -> tuple[Any, Any]:
    """The round and the user's own mentee participation in it, to choose among their
    suggestions. Nobody else, managers included, chooses for a mentee."""
    from mentora.rounds.models import MatchingRound

    try:
        matching_round = MatchingRound.objects.select_related("programme").get(pk=round_id)
    except MatchingRound.DoesNotExist:
        raise Http404 from None
    mine = matching_round.suggestions.filter(mentee__user_id=user.pk).select_related("mentee")
    suggestion = mine.first() if user.is_authenticated else None
    # The mentee whose suggestions these are.
    if suggestion is not None:
        return matching_round, suggestion.mentee
    # Others who can see the programme learn only that they may not act here.
    if _roles_in_any(user, matching_round.programme.organisation_ids()):
        raise PermissionDenied
    raise Http404


def access_introduction(user: Any, introduction_id: int, *, answer: bool = False) -> Any:
    """An introduction: the two people introduced answer it; managers may only read it."""
    from mentora.rounds.models import Introduction

    try:
        introduction = Introduction.objects.select_related(
            "matching_round__programme", "mentee__person", "mentor__person"
        ).get(pk=introduction_id)
    except Introduction.DoesNotExist:
        raise Http404 from None
    # The mentee and the mentor introduced.
    if introduction.side_of(user) is not None:
        return introduction
    programme = introduction.matching_round.programme
    # Managers follow introductions but never answer for someone.
    if can_manage_programme(user, programme) and not answer:
        return introduction
    if _roles_in_any(user, programme.organisation_ids()):
        raise PermissionDenied
    raise Http404


def partner_organisation_by_slug(user: Any, programme: Any, slug: str) -> Organisation | None:
    """The organisation a programme's managers name, by its short name, as a partner.

    Only those who may change the programme may look one up, and only by its exact
    short name, so the list of organisations on the platform is never shown.
    """
    if not can_manage_programme(user, programme):
        raise PermissionDenied
    return Organisation.objects.filter(slug=slug.strip().lower()).first()


def access_own_participation(user: Any, participant_id: int) -> Any:
    """A participation its own participant may act on (apply, withdraw).

    Managers act through `access_participant`; anyone else in a taking-part
    organisation gets 403, outsiders 404.
    """
    from mentora.programmes.models import Participant

    try:
        participant = Participant.objects.select_related(
            "programme__organisation", "person", "user"
        ).get(pk=participant_id)
    except Participant.DoesNotExist:
        raise Http404 from None
    # Only the participant themselves.
    if user.is_authenticated and participant.user_id == user.pk:
        return participant
    programme = participant.programme
    if (
        _is_platform_admin(user)
        or _roles_in_any(user, programme.organisation_ids())
        or can_view_programme(user, programme)
    ):
        raise PermissionDenied
    raise Http404


def _pair_member_or_deny(user: Any, pair: Any) -> None:
    # The mentee and the mentor: the only people who see what the pair writes.
    if user.is_authenticated and user.pk in pair.member_user_ids():
        return
    # Managers, sponsors, line managers and colleagues: they may not look inside.
    if can_view_programme(user, pair.programme) or _roles_in_any(
        user, pair.programme.organisation_ids()
    ):
        raise PermissionDenied
    raise Http404


def access_workspace(user: Any, pair_id: int) -> Any:
    """The pair's workspace (agreement, meetings, notes, goals): the two of them only."""
    from mentora.relationships.models import Pair

    try:
        pair = Pair.objects.select_related(
            "programme__organisation",
            "mentee__person",
            "mentor__person",
            "mentee__user",
            "mentor__user",
        ).get(pk=pair_id)
    except Pair.DoesNotExist:
        raise Http404 from None
    _pair_member_or_deny(user, pair)
    return pair


def access_meeting(user: Any, meeting_id: int) -> Any:
    """A meeting of a pair, with its confidential texts: the two of them only."""
    from mentora.relationships.models import Meeting

    try:
        meeting = Meeting.objects.select_related(
            "pair__programme__organisation", "pair__mentee__person", "pair__mentor__person"
        ).get(pk=meeting_id)
    except Meeting.DoesNotExist:
        raise Http404 from None
    _pair_member_or_deny(user, meeting.pair)
    return meeting


def access_goal(user: Any, goal_id: int) -> Any:
    from mentora.relationships.models import Goal

    try:
        goal = Goal.objects.select_related("pair__programme__organisation").get(pk=goal_id)
    except Goal.DoesNotExist:
        raise Http404 from None
    _pair_member_or_deny(user, goal.pair)
    return goal


def line_manager_pairs(user: Any) -> QuerySet[Any]:
    """Active pairs whose mentee reports to `user`: for their themes and progress only."""
    from mentora.relationships.models import Pair

    return Pair.objects.active().filter(mentee__in=line_manager_participations(user))


# Surveys and reports --------------------------------------------------------------------------


def access_survey(user: Any, survey_id: int, *, write: bool = False) -> Any:
    """A programme's survey: its schedule and response counts, never anyone's answers.

    Those who may read the programme see it; only those running it change or send it.
    Members of a taking-part organisation get 403, outsiders 404.
    """
    from mentora.surveys.models import Survey

    try:
        survey = Survey.objects.select_related("programme__organisation", "instrument").get(
            pk=survey_id
        )
    except Survey.DoesNotExist:
        raise Http404 from None
    # The programme decides: readers read, managers write, everyone else 403 or 404.
    access_programme(user, survey.programme_id, write=write)
    return survey


def access_invitation_by_token(user: Any, token: str) -> Any:
    """The invitation behind an answer link, only for the user it was sent to.

    A wrong token and someone else's token answer the same 404, so a forwarded link
    reveals nothing and nobody answers for someone else, managers included.
    """
    from mentora.surveys.models import Invitation

    if not user.is_authenticated:
        raise Http404
    try:
        return Invitation.objects.select_related(
            "survey__programme__organisation", "survey__instrument", "person"
        ).get(token=token, user=user)
    except Invitation.DoesNotExist:
        raise Http404 from None


def access_own_invitation(user: Any, invitation_id: int) -> Any:
    """An invitation whose answers only the invited person may read ("my answers").

    Managers, sponsors and line managers see aggregates at most, never one person's
    answers: 403 in a taking-part organisation, else 404.
    """
    from mentora.surveys.models import Invitation

    try:
        invitation = Invitation.objects.select_related(
            "survey__programme__organisation", "survey__instrument"
        ).get(pk=invitation_id)
    except Invitation.DoesNotExist:
        raise Http404 from None
    # Only the person who was asked.
    if user.is_authenticated and invitation.user_id == user.pk:
        return invitation
    programme = invitation.survey.programme
    if _roles_in_any(user, programme.organisation_ids()) or can_view_programme(user, programme):
        raise PermissionDenied
    raise Http404


def access_report(user: Any, programme_id: int, *, write: bool = False) -> Any:
    """A programme's outcome report: managers, sponsors, partner staff and platform admins.

    Writes (loading benchmark figures) are for those running the programme. Participants
    and line managers of a taking-part organisation get 403, outsiders 404.
    """
    return access_programme(user, programme_id, write=write)


def access_organisation_instruments(user: Any, slug: str) -> Organisation:
    """The organisation whose own licensed instruments `user` may load: its staff."""
    return access_organisation_staff_area(user, slug)


def participations_of(user: Any) -> QuerySet[Any]:
    """A user's own participations in programmes, whatever their status."""
    from mentora.programmes.models import Participant

    if not user.is_authenticated:
        return Participant.objects.none()
    return Participant.objects.filter(user_id=user.pk)


def applicant_person(user: Any, programme: Any) -> Any:
    """The HR record through which `user` may apply to `programme`, or None.

    It must belong to one of the programme's organisations.
    """
    from mentora.people.models import Person

    if not user.is_authenticated:
        return None
    return Person.objects.filter(
        user_id=user.pk, organisation_id__in=programme.organisation_ids()
    ).first()


def access_pair_as_manager(user: Any, pair_id: int) -> Any:
    """A pair, for those running its programme: facts and follow-ups, never its texts."""
    from mentora.relationships.models import Pair

    try:
        pair = Pair.objects.select_related(
            "programme__organisation", "mentee__person", "mentor__person"
        ).get(pk=pair_id)
    except Pair.DoesNotExist:
        raise Http404 from None
    access_programme(user, pair.programme_id, write=True)
    return pair


def access_programme_stories(user: Any, programme_id: int) -> Any:
    """The programme's published stories: for everyone in a taking-part organisation,
    since they recruit the next cohort; outsiders get 404."""
    programme_model = _programme_model()
    try:
        programme = programme_model.objects.select_related("organisation").get(pk=programme_id)
    except programme_model.DoesNotExist:
        raise Http404 from None
    if _is_platform_admin(user) or can_view_programme(user, programme):
        return programme
    if _roles_in_any(user, programme.organisation_ids()):
        return programme
    raise Http404


def access_story(user: Any, story_id: int) -> Any:
    """A story to approve or decline: those running the programme only, and never about a
    pair they are a member of themselves."""
    from mentora.relationships.models import Story

    try:
        story = Story.objects.select_related("pair__programme", "pair__mentee", "pair__mentor").get(
            pk=story_id
        )
    except Story.DoesNotExist:
        raise Http404 from None
    access_programme(user, story.pair.programme_id, write=True)
    # A colleague decides on a story about the decider's own pair.
    if user.pk in story.pair.member_user_ids():
        raise PermissionDenied
    return story


def access_pair_for_feedback(user: Any, pair_id: int) -> Any:
    """A pair to give feedback in: its two members, or the mentee's line manager."""
    from mentora.relationships.models import Pair

    try:
        pair = Pair.objects.select_related(
            "programme__organisation", "mentee__person", "mentor__person"
        ).get(pk=pair_id)
    except Pair.DoesNotExist:
        raise Http404 from None
    # The line manager gives feedback to the mentee, and reads nothing of the pair's.
    if is_line_manager_of(user, pair.mentee):
        return pair
    _pair_member_or_deny(user, pair)
    return pair


def access_event_registration(user: Any, registration_id: int) -> Any:
    """A registration: the participant cancels their own; managers may cancel any."""
    from mentora.programmes.models import EventRegistration

    try:
        registration = EventRegistration.objects.select_related(
            "workshop__programme__organisation", "participant"
        ).get(pk=registration_id)
    except EventRegistration.DoesNotExist:
        raise Http404 from None
    programme = registration.workshop.programme
    # The participant whose place it is.
    if user.is_authenticated and registration.participant.user_id == user.pk:
        return registration
    # Those running the programme manage places.
    if can_manage_programme(user, programme):
        return registration
    if _roles_in_any(user, programme.organisation_ids()):
        raise PermissionDenied
    raise Http404


def own_participation_for_event(user: Any, workshop_id: int) -> tuple[Any, Any]:
    """The event and the user's own participation in its programme, to register."""
    from mentora.programmes.models import Participant, Workshop

    try:
        workshop = Workshop.objects.select_related("programme__organisation").get(pk=workshop_id)
    except Workshop.DoesNotExist:
        raise Http404 from None
    participant = (
        Participant.objects.filter(programme=workshop.programme, user_id=user.pk)
        .order_by("pk")
        .first()
        if user.is_authenticated
        else None
    )
    if participant is not None:
        return workshop, participant
    if _roles_in_any(user, workshop.programme.organisation_ids()):
        raise PermissionDenied
    raise Http404


def access_expert_connection(user: Any, connection_id: int) -> Any:
    """An expert connection and its activity: the learner, the expert and those running the
    programme. Anyone else in a taking-part organisation gets 403, outsiders 404."""
    from mentora.relationships.models import ExpertConnection

    try:
        connection = ExpertConnection.objects.select_related(
            "programme__organisation", "learner__person", "expert__person"
        ).get(pk=connection_id)
    except ExpertConnection.DoesNotExist:
        raise Http404 from None
    _member_or_manager_or_deny(user, connection.member_user_ids(), connection.programme)
    return connection


def expert_connections_of(user: Any) -> QuerySet[Any]:
    """The expert connections `user` takes part in, as learner or as expert."""
    from django.db.models import Q

    from mentora.people.models import label_related
    from mentora.relationships.models import ExpertConnection

    if not user.is_authenticated:
        return ExpertConnection.objects.none()
    return ExpertConnection.objects.filter(
        Q(learner__user_id=user.pk) | Q(expert__user_id=user.pk)
    ).select_related(
        "programme", *label_related("learner__person"), *label_related("expert__person")
    )
