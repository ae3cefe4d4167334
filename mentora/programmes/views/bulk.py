"""Acting on many participants of the pipeline at once: a preview, then one transaction
through the single-participant services, and an undo for status moves."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from mentora.accounts import access as accounts_access
from mentora.accounts.models import Organisation
from mentora.core import bulk
from mentora.core.forms import ModelChoiceField
from mentora.core.messages import valid
from mentora.people.models import Person
from mentora.programmes import access
from mentora.programmes.models import Participant, ParticipantRole, ParticipantStatus, Programme
from mentora.programmes.services import pipeline as pipeline_services
from mentora.programmes.views.common import _me, _page

S = ParticipantStatus

ACTIONS = [
    ("approve", gettext_lazy("Approve")),
    ("next", gettext_lazy("Move to the next status")),
    ("ready", gettext_lazy("Mark as ready to match")),
    ("decline", gettext_lazy("Decline")),
    ("withdraw", gettext_lazy("Withdraw")),
    ("remind", gettext_lazy("Send a reminder")),
]
# Status moves can be taken back; a decline, a withdrawal or a reminder tells people
# something final at once, so those ask for the tick instead.
REVERSIBLE = frozenset({"approve", "next", "ready"})
# Where each fixed move goes; "next" is each participant's own next status.
FIXED = {
    "approve": S.APPROVED,
    "ready": S.READY,
    "decline": S.DECLINED,
    "withdraw": S.WITHDRAWN,
}
REMINDERS = {
    "apply": gettext_lazy("A reminder to send their application"),
    "line_manager": gettext_lazy("A reminder to their line manager to decide"),
}


def _done(action: str, n: int) -> str:
    texts = {
        "approve": ngettext("%(n)s approved.", "%(n)s approved.", n),
        "next": ngettext(
            "%(n)s moved to their next status.", "%(n)s moved to their next status.", n
        ),
        "ready": ngettext("%(n)s ready to match.", "%(n)s ready to match.", n),
        "decline": ngettext("%(n)s declined.", "%(n)s declined.", n),
        "withdraw": ngettext("%(n)s withdrawn.", "%(n)s withdrawn.", n),
        "remind": ngettext("%(n)s reminder sent.", "%(n)s reminders sent.", n),
    }
    return texts[action] % {"n": n}


class ParticipantBulkForm(bulk.BulkForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason for declining (only programme managers see it)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data: Any = None, *, programme: Programme) -> None:
        participants = programme.participants.select_related("person").order_by(
            "person__last_name", "person__first_name", "pk"
        )
        super().__init__(data, queryset=participants, actions=ACTIONS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "decline" and not (data.get("reason") or "").strip():
            self.add_error(
                "reason", _("Give a reason for declining; only programme managers see it.")
            )
        return data


def _target(action: str, participant: Participant) -> str:
    if action == "next":
        return pipeline_services.next_status(participant)
    return FIXED[action]


def _check(action: str, reason: str) -> Callable[[Participant], str]:
    """What the action will do to one participant, or the refusal that skips them."""

    def check(participant: Participant) -> str:
        if action == "remind":
            return str(REMINDERS[pipeline_services.reminder_check(participant)])
        to_status = _target(action, participant)
        pipeline_services.transition_check(participant, to_status, reason=reason)
        return _("from “%(old)s” to “%(new)s”") % {
            "old": S(participant.status).label,
            "new": S(to_status).label,
        }

    return check


def _apply(action: str, reason: str, actor: Any) -> Callable[[Participant], Any]:
    """The single-participant service for the action; a status move returns the step it
    recorded, which an undo takes back."""

    def apply(participant: Participant) -> Any:
        if action == "remind":
            return pipeline_services.participant_remind(participant=participant, actor=actor)
        pipeline_services.participant_transition(
            participant=participant,
            to_status=_target(action, participant),
            actor=actor,
            reason=reason if action == "decline" else "",
        )
        return participant.events.order_by("-pk").values_list("pk", flat=True).first()

    return apply


def _preview(form: ParticipantBulkForm) -> bulk.BulkPreview:
    data = form.cleaned_data
    return bulk.bulk_preview(
        data["ids"],
        label=lambda participant: participant.person.full_name,
        check=_check(data["action"], data["reason"]),
    )


@login_required
@require_POST
def participants_bulk_preview(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)

    def context(form: ParticipantBulkForm) -> dict[str, Any]:
        action = form.cleaned_data["action"]
        return {
            "action": action,
            "action_label": dict(ACTIONS)[action],
            "reversible": action in REVERSIBLE,
        }

    return bulk.show_preview(
        request,
        ParticipantBulkForm(request.POST, programme=programme),
        back=reverse("programme_pipeline", args=[programme.pk]),
        preview=_preview,
        page=partial(_page, request, "programmes/participants_bulk.html", programme),
        # The reason belongs to a decline only; other actions carry it on unseen.
        hidden=lambda form: [] if form.cleaned_data["action"] == "decline" else ["reason"],
        context=context,
    )


@login_required
@require_POST
def participants_bulk_apply(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    actor = _me(request)
    return bulk.run_batch(
        request,
        ParticipantBulkForm(request.POST, programme=programme),
        back=reverse("programme_pipeline", args=[programme.pk]),
        preview=_preview,
        apply=lambda form: _apply(
            form.cleaned_data["action"], form.cleaned_data["reason"].strip(), actor
        ),
        done=lambda form, outcome: _done(form.cleaned_data["action"], len(outcome.done)),
        undo_url=lambda form: (
            reverse("participants_bulk_undo", args=[programme.pk])
            if form.cleaned_data["action"] in REVERSIBLE
            else ""
        ),
        undo_item=lambda participant, step: [participant.pk, step],
    )


@login_required
@require_POST
def participants_bulk_undo(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Take back the last batch of status moves, for each participant whose status has not
    changed since; the steps to take back are read from the session, never the page."""
    programme = access.access_programme(request.user, programme_id, write=True)
    items = bulk.undo_take(request, reverse("participants_bulk_undo", args=[programme.pk]))
    if items is None:
        return redirect("programme_pipeline", programme.pk)
    steps = {int(participant_id): int(step) for participant_id, step in items}
    participants = programme.participants.filter(pk__in=steps).select_related("person")
    actor = _me(request)
    outcome = bulk.bulk_apply(
        bulk.bulk_preview(
            participants,
            label=lambda participant: participant.person.full_name,
            check=lambda participant: "",
        ),
        lambda participant: pipeline_services.participant_transition_undo(
            participant=participant, event_id=steps[participant.pk], actor=actor
        ),
    )
    bulk.bulk_report(
        request,
        outcome,
        done=lambda n: (
            ngettext(
                "%(n)s is back at their previous status.",
                "%(n)s are back at their previous status.",
                n,
            )
            % {"n": n}
        ),
    )
    return redirect("programme_pipeline", programme.pk)


# Inviting people chosen in an organisation's people directory --------------------------------


class PeopleInviteForm(bulk.BulkForm):
    programme = ModelChoiceField(label=gettext_lazy("Programme"), queryset=Programme.objects.none())
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ParticipantRole.choices)

    def __init__(self, data: Any = None, *, organisation: Organisation) -> None:
        people = organisation.people.current().order_by("last_name", "first_name", "pk")
        super().__init__(data, queryset=people)
        self.fields["programme"].queryset = organisation.programmes.all()  # type: ignore[attr-defined]


def _people_invite_form(request: HttpRequest, slug: str) -> PeopleInviteForm | None:
    """The parsed choice, once the user may change the directory's organisation and run
    the chosen programme; None (with the problems shown) when the form is not valid."""
    # Inviting from the directory is for organisation admins, as the directory's writes are.
    organisation = accounts_access.access_organisation_staff_area(request.user, slug, write=True)
    form = PeopleInviteForm(request.POST, organisation=organisation)
    if not valid(request, form):
        return None
    # And for those who may change the programme they invite to.
    access.access_programme(request.user, form.cleaned_data["programme"].pk, write=True)
    return form


def _people_invite_preview(form: PeopleInviteForm) -> bulk.BulkPreview:
    programme, role = form.cleaned_data["programme"], form.cleaned_data["role"]

    def check(person: Person) -> str:
        pipeline_services.invite_check(programme=programme, person=person, role=role)
        return _("Invited as %(role)s") % {"role": ParticipantRole(role).label.lower()}

    return bulk.bulk_preview(form.cleaned_data["ids"], label=lambda p: p.full_name, check=check)


@login_required
@require_POST
def people_invite_preview(request: HttpRequest, slug: str) -> HttpResponse:
    def context(form: PeopleInviteForm) -> dict[str, Any]:
        programme = form.cleaned_data["programme"]
        return {
            "organisation": programme.organisation,
            "slug": slug,
            "programme": programme,
            "role": ParticipantRole(form.cleaned_data["role"]).label,
            "reversible": False,
        }

    return bulk.show_preview(
        request,
        _people_invite_form(request, slug),
        back=reverse("people_directory", args=[slug]),
        preview=_people_invite_preview,
        page=lambda **context: render(request, "programmes/people_invite.html", context),
        # The confirmation carries the chosen programme and role on, unseen.
        hidden=lambda form: ["programme", "role"],
        context=context,
    )


@login_required
@require_POST
def people_invite_apply(request: HttpRequest, slug: str) -> HttpResponse:
    """Invite each chosen person through the single invitation (its rules, account, e-mail
    and audit entry), in one transaction, once the admin ticks the confirmation."""
    actor = _me(request)

    def invite(form: PeopleInviteForm) -> Callable[[Person], Any]:
        programme, role = form.cleaned_data["programme"], form.cleaned_data["role"]
        return lambda person: pipeline_services.participant_invite(
            programme=programme, person=person, role=role, actor=actor
        )

    return bulk.run_batch(
        request,
        _people_invite_form(request, slug),
        back=reverse("people_directory", args=[slug]),
        preview=_people_invite_preview,
        apply=invite,
        done=lambda form, outcome: (
            ngettext(
                "%(n)s invited to %(programme)s.",
                "%(n)s invited to %(programme)s.",
                len(outcome.done),
            )
            % {"n": len(outcome.done), "programme": form.cleaned_data["programme"].name}
        ),
    )
