"""Guests: people outside the HR data (alumni or volunteer mentors, experts, staff of
partner organisations) brought into one programme. Each write is atomic and audited,
and mails on commit.

A guest is invited by the programme team, or applies through the programme's public
link and waits for the team's approval. Either way their person record is created
(marked external) when they are invited; accepting the invitation creates their
account and invites them into the programme like anyone from the HR data, so from then
on the same access rules apply to them as to every participant.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.accounts import services as account_services
from mentora.accounts.models import User
from mentora.core.audit import audit_log
from mentora.people.models import Person
from mentora.programmes import tasks
from mentora.programmes.guest_models import Guest, GuestStatus, new_guest_token
from mentora.programmes.models import Participant, Programme
from mentora.programmes.services import pipeline


def _check_open(programme: Programme, email: str) -> None:
    if Guest.objects.filter(
        programme=programme,
        email__iexact=email,
        status__in=[GuestStatus.APPLIED, GuestStatus.INVITED],
    ).exists():
        raise ValidationError(
            _("%(email)s has already been asked into this programme."),
            params={"email": email},
            code="duplicate",
        )
    if Participant.objects.filter(programme=programme, user__email__iexact=email).exists():
        raise ValidationError(
            _("%(email)s already takes part in this programme."),
            params={"email": email},
            code="participant",
        )


def _make_person(guest: Guest) -> Person:
    first, _space, last = guest.full_name.strip().partition(" ")
    person = Person.objects.create(
        organisation=guest.programme.organisation,
        # Guests have no employee id; this one is unique and never clashes with HR's.
        employee_id=f"guest-{new_guest_token()[:12]}",
        first_name=first,
        last_name=last,
        email=guest.email,
        external=True,
    )
    audit_log(
        actor=guest.invited_by,
        action="people.person.create_guest",
        obj=person,
        programme=guest.programme,
        changes={"guest": guest.pk},
    )
    return person


def _invite(guest: Guest, actor: Any) -> Guest:
    guest.status = GuestStatus.INVITED
    guest.invited_by = actor
    guest.decided_at = timezone.now()
    guest.person = _make_person(guest)
    guest.save()
    transaction.on_commit(partial(tasks.send_guest_invitation.enqueue, guest.pk))
    return guest


@transaction.atomic
def guest_invite(
    *,
    programme: Programme,
    email: str,
    full_name: str,
    role: str,
    language: str,
    actor: Any,
) -> Guest:
    """Invite someone outside the HR data into `programme` by e-mail."""
    email = email.strip().lower()
    _check_open(programme, email)
    guest = Guest(
        programme=programme, email=email, full_name=full_name.strip(), role=role, language=language
    )
    _invite(guest, actor)
    audit_log(
        actor=actor,
        action="programmes.guest.invite",
        obj=guest,
        programme=programme,
        changes={"role": role},
    )
    return guest


@transaction.atomic
def guest_apply(
    *, programme: Programme, email: str, full_name: str, role: str, language: str
) -> Guest:
    """Someone with no HR record applies through the programme's public link; the
    programme team decides."""
    email = email.strip().lower()
    _check_open(programme, email)
    guest = Guest.objects.create(
        programme=programme,
        email=email,
        full_name=full_name.strip(),
        role=role,
        language=language,
        status=GuestStatus.APPLIED,
    )
    audit_log(
        actor=None,
        action="programmes.guest.apply",
        obj=guest,
        programme=programme,
        changes={"role": role},
    )
    return guest


def _check_waiting(guest: Guest) -> None:
    if guest.status != GuestStatus.APPLIED:
        raise ValidationError(_("This application has already been decided."), code="decided")


@transaction.atomic
def guest_approve(*, guest: Guest, actor: Any) -> Guest:
    """Approve an application: the person is created and invited by e-mail."""
    guest = Guest.objects.select_for_update().get(pk=guest.pk)
    _check_waiting(guest)
    _invite(guest, actor)
    audit_log(actor=actor, action="programmes.guest.approve", obj=guest, programme=guest.programme)
    return guest


@transaction.atomic
def guest_decline(*, guest: Guest, actor: Any) -> Guest:
    """Decline an application; nothing else is created."""
    guest = Guest.objects.select_for_update().get(pk=guest.pk)
    _check_waiting(guest)
    guest.status = GuestStatus.DECLINED
    guest.decided_at = timezone.now()
    guest.save(update_fields=["status", "decided_at"])
    audit_log(actor=actor, action="programmes.guest.decline", obj=guest, programme=guest.programme)
    return guest


@transaction.atomic
def guest_accept(*, guest: Guest, password: str, viewer: Any = None) -> User:
    """Accept an invitation: the guest's account, tied to their person record, and their
    invitation into the programme, with a participant's access and nothing more.

    Someone who already has an account (a guest of another programme) must be logged in
    as it, so that nobody takes over an account by knowing its address.
    """
    guest = (
        Guest.objects.select_for_update(of=("self",))
        .select_related("person", "programme")
        .get(pk=guest.pk)
    )
    if guest.status != GuestStatus.INVITED or guest.person is None:
        raise ValidationError(_("This invitation is no longer open."), code="closed")
    if viewer is not None and viewer.email.lower() != guest.email.lower():
        raise ValidationError(
            _("This invitation is for another e-mail address: log out first."),
            code="other_account",
        )
    user = User.objects.filter(email__iexact=guest.email).first()
    if user is not None and (viewer is None or viewer.pk != user.pk):
        raise ValidationError(
            _("An account with this address exists: log in to it, then open the link again."),
            code="exists",
        )
    if user is None:
        user = account_services.user_create(
            email=guest.email, full_name=guest.full_name, password=password, language=guest.language
        )
    person = guest.person
    person.user = user
    person.save(update_fields=["user"])
    pipeline.participant_invite(
        programme=guest.programme, person=person, role=guest.role, actor=user
    )
    guest.status = GuestStatus.ACCEPTED
    guest.save(update_fields=["status"])
    audit_log(actor=user, action="programmes.guest.accept", obj=guest, programme=guest.programme)
    return user
