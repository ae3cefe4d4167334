"""Who may see a survey, answer it, and read their own answers. Nobody reads another
person's answers: reports publish aggregates only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from mentora.accounts.access import Viewer, access_organisation_staff_area, refuse
from mentora.accounts.models import Organisation
from mentora.programmes.access import access_programme, can_view_programme
from mentora.surveys.models import Invitation, Survey


def access_survey(user: Viewer, survey_id: int, *, write: bool = False) -> Survey:
    """A programme's survey: its schedule and response counts, never anyone's answers.

    Those who may read the programme see it; only those running it change or send it.
    Members of a taking-part organisation get 403, outsiders 404.
    """
    survey = get_object_or_404(
        Survey.objects.select_related("programme__organisation", "instrument"), pk=survey_id
    )
    # The programme decides: readers read, managers write, everyone else 403 or 404.
    access_programme(user, survey.programme_id, write=write)
    return survey


def access_invitation_by_token(user: Viewer, token: str) -> Invitation:
    """The invitation behind an answer link, only for the user it was sent to.

    A wrong token and someone else's token answer the same 404, so a forwarded link
    reveals nothing and nobody answers for someone else, managers included.
    """
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Invitation.objects.select_related(
            "survey__programme__organisation", "survey__instrument", "person"
        ),
        token=token,
        user=user,
    )


def access_own_invitation(user: Viewer, invitation_id: int) -> Invitation:
    """An invitation whose answers only the invited person may read ("my answers").

    Managers, sponsors and line managers see aggregates at most, never one person's
    answers: 403 in a taking-part organisation, else 404.
    """
    invitation = get_object_or_404(
        Invitation.objects.select_related("survey__programme__organisation", "survey__instrument"),
        pk=invitation_id,
    )
    # Only the person who was asked.
    if user.is_authenticated and invitation.user_id == user.pk:
        return invitation
    programme = invitation.survey.programme
    if can_view_programme(user, programme):
        raise PermissionDenied
    refuse(user, programme.organisation_ids())


def access_organisation_instruments(user: Viewer, slug: str) -> Organisation:
    """The organisation whose own licensed instruments `user` may load: its staff."""
    return access_organisation_staff_area(user, slug)
