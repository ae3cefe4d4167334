"""The REST API's endpoints. Each one fetches what it shows through the access helper of the
object's own app, as the pages do, and changes things only through the same services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mentora.accounts import access as accounts_access
from mentora.accounts.models import Organisation
from mentora.api import serializers as s
from mentora.api.access import within_token
from mentora.api.models import ApiToken
from mentora.events.access import access_event
from mentora.events.models import Event, EventRegistration
from mentora.people.models import OrgUnit, Person
from mentora.programmes import access as programme_access
from mentora.programmes.models import Participant, Programme
from mentora.programmes.services import pipeline
from mentora.relationships.access import access_pair
from mentora.relationships.health import with_health_facts
from mentora.relationships.models import Pair
from mentora.reports.aggregates import published_surveys
from mentora.rounds.access import access_round
from mentora.rounds.models import MatchingRound
from mentora.rounds.services import proposals as round_proposals
from mentora.rounds.services import rounds as round_services
from mentora.surveys.access import access_survey
from mentora.surveys.models import Survey


def _token_organisation(request: Request) -> int | None:
    auth = request.auth
    return auth.organisation_id if isinstance(auth, ApiToken) else None


def _programme(request: Request, programme_id: int, *, manage: bool = False) -> Programme:
    """The programme by the pages' rule: readers read; `manage` for what only those running
    it see (participants, rounds, pairs), as on the pages."""
    programme = programme_access.access_programme(request.user, programme_id, write=manage)
    within_token(request.auth, programme.organisation_ids())
    return programme


# Organisations, people and units -----------------------------------------------------------


class OrganisationList(generics.ListAPIView[Organisation]):
    """The organisations the caller belongs to."""

    area = "people"
    serializer_class = s.OrganisationSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        organisations = accounts_access.organisations_for(self.request.user).order_by("pk")
        token_organisation = _token_organisation(self.request)
        if token_organisation is not None:
            organisations = organisations.filter(pk=token_organisation)
        return organisations


class _OrganisationStaffList:
    area = "people"
    request: Request
    kwargs: dict[str, Any]

    def organisation(self) -> Organisation:
        organisation = accounts_access.access_organisation_staff_area(
            self.request.user, self.kwargs["slug"]
        )
        within_token(self.request.auth, [organisation.pk])
        return organisation


class PersonList(_OrganisationStaffList, generics.ListAPIView[Person]):
    """The organisation's people, for its administrators and programme managers."""

    serializer_class = s.PersonSerializer

    def get_queryset(self) -> QuerySet[Person]:
        return Person.objects.filter(organisation=self.organisation()).order_by("pk")


class UnitList(_OrganisationStaffList, generics.ListAPIView[OrgUnit]):
    """The organisation's units, each with its parent."""

    serializer_class = s.OrgUnitSerializer

    def get_queryset(self) -> QuerySet[OrgUnit]:
        return OrgUnit.objects.filter(organisation=self.organisation()).order_by("pk")


# Programmes and participants ---------------------------------------------------------------


class ProgrammeList(generics.ListAPIView[Programme]):
    """The programmes whose management pages the caller may read."""

    area = "programmes"
    serializer_class = s.ProgrammeSerializer

    def get_queryset(self) -> QuerySet[Programme]:
        programmes = programme_access.programmes_for(self.request.user).select_related(
            "organisation"
        )
        token_organisation = _token_organisation(self.request)
        if token_organisation is not None:
            programmes = programmes.filter(
                Q(organisation_id=token_organisation)
                | Q(contributions__organisation_id=token_organisation)
            ).distinct()
        return programmes.order_by("pk")


class ProgrammeDetail(APIView):
    area = "programmes"

    @extend_schema(responses=s.ProgrammeSerializer)
    def get(self, request: Request, programme_id: int) -> Response:
        return Response(s.ProgrammeSerializer(_programme(request, programme_id)).data)


class ParticipantList(generics.ListAPIView[Participant]):
    """A programme's participants and their status, for those running it."""

    area = "programmes"
    serializer_class = s.ParticipantSerializer

    def get_queryset(self) -> QuerySet[Participant]:
        programme = _programme(self.request, self.kwargs["programme_id"], manage=True)
        return programme.participants.order_by("pk")


def _participant(request: Request, participant_id: int, *, write: bool) -> Participant:
    participant = programme_access.access_participant(request.user, participant_id, write=write)
    within_token(request.auth, participant.programme.organisation_ids())
    return participant


class ParticipantDetail(APIView):
    area = "programmes"

    @extend_schema(responses=s.ParticipantDetailSerializer)
    def get(self, request: Request, participant_id: int) -> Response:
        """A participation with its questionnaire answers: for those running the programme
        and for the participant."""
        participant = _participant(request, participant_id, write=False)
        return Response(s.ParticipantDetailSerializer(participant).data)


class ParticipantStatusChange(APIView):
    area = "programmes"

    @extend_schema(request=s.TransitionSerializer, responses=s.ParticipantSerializer)
    def post(self, request: Request, participant_id: int) -> Response:
        """Move a participant along the pipeline, by the pages' rules (and e-mails)."""
        participant = _participant(request, participant_id, write=True)
        given = s.TransitionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        participant = pipeline.participant_transition(
            participant=participant,
            to_status=given.validated_data["status"],
            actor=request.user,
            note=given.validated_data["note"],
            reason=given.validated_data["reason"],
        )
        return Response(s.ParticipantSerializer(participant).data)


# Matching rounds -----------------------------------------------------------------------------


class RoundList(generics.ListCreateAPIView[MatchingRound]):
    """A programme's matching rounds; POST starts a new one over the ready participants."""

    area = "rounds"
    serializer_class = s.RoundSerializer

    def get_queryset(self) -> QuerySet[MatchingRound]:
        programme = _programme(self.request, self.kwargs["programme_id"], manage=True)
        return MatchingRound.objects.filter(programme=programme).order_by("pk")

    @extend_schema(request=None, responses={201: s.RoundSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programme = _programme(request, kwargs["programme_id"], manage=True)
        matching_round = round_services.round_start(programme=programme, actor=request.user)
        return Response(s.RoundSerializer(matching_round).data, status=status.HTTP_201_CREATED)


def _round(request: Request, round_id: int) -> MatchingRound:
    matching_round = access_round(request.user, round_id)
    within_token(request.auth, matching_round.programme.organisation_ids())
    return matching_round


class RoundDetail(APIView):
    area = "rounds"

    @extend_schema(responses=s.RoundDetailSerializer)
    def get(self, request: Request, round_id: int) -> Response:
        """A round's progress, its proposals with their explanations, and who stayed
        unmatched and why."""
        return Response(s.RoundDetailSerializer(_round(request, round_id)).data)


class RoundPublish(APIView):
    area = "rounds"

    @extend_schema(request=None, responses=s.PairSerializer(many=True))
    def post(self, request: Request, round_id: int) -> Response:
        """Publish every proposal not published yet, as the round's page does."""
        matching_round = _round(request, round_id)
        pairs = round_proposals.round_publish(matching_round=matching_round, actor=request.user)
        return Response(s.PairSerializer(pairs, many=True).data)


# Pairs -----------------------------------------------------------------------------------------


class PairList(generics.ListAPIView[Pair]):
    """A programme's pairs: facts and health, never what they wrote."""

    area = "pairs"
    serializer_class = s.PairSerializer

    def get_queryset(self) -> QuerySet[Pair]:
        programme = _programme(self.request, self.kwargs["programme_id"], manage=True)
        return with_health_facts(Pair.objects.filter(programme=programme)).order_by("pk")


class PairDetail(APIView):
    area = "pairs"

    @extend_schema(responses=s.PairSerializer)
    def get(self, request: Request, pair_id: int) -> Response:
        """One pair, for its two members and those running the programme."""
        pair = access_pair(request.user, pair_id)
        within_token(request.auth, pair.programme.organisation_ids())
        return Response(s.PairSerializer(pair).data)


# Events --------------------------------------------------------------------------------------


class EventList(generics.ListAPIView[Event]):
    """A programme's events, for those who may read the programme."""

    area = "events"
    serializer_class = s.EventSerializer

    def get_queryset(self) -> QuerySet[Event]:
        programme = _programme(self.request, self.kwargs["programme_id"])
        return Event.objects.filter(programme=programme).order_by("starts_at", "pk")


class RegistrationList(generics.ListAPIView[EventRegistration]):
    """The places taken at an event, for those running the programme."""

    area = "events"
    serializer_class = s.RegistrationSerializer

    def get_queryset(self) -> QuerySet[EventRegistration]:
        event = access_event(
            self.request.user, self.kwargs["programme_id"], self.kwargs["event_id"], write=True
        )
        within_token(self.request.auth, event.programme.organisation_ids())
        return event.registrations.order_by("pk")


# Surveys -------------------------------------------------------------------------------------


class SurveyList(generics.ListAPIView[Survey]):
    """A programme's surveys and their dates."""

    area = "surveys"
    serializer_class = s.SurveySerializer

    def get_queryset(self) -> QuerySet[Survey]:
        programme = _programme(self.request, self.kwargs["programme_id"])
        return (
            Survey.objects.filter(programme=programme)
            .select_related("instrument")
            .order_by("opens_at", "pk")
        )


def _share(value: Any) -> float | None:
    return None if value is None or value.estimate is None else round(value.estimate, 4)


class SurveyResults(APIView):
    area = "surveys"

    @extend_schema(responses=s.SurveyResultSerializer)
    def get(self, request: Request, survey_id: int) -> Response:
        """A survey's figures under the reports' disclosure control: response rates only
        while it is open; then each item whose group is large and varied enough."""
        survey = access_survey(request.user, survey_id)
        within_token(request.auth, survey.programme.organisation_ids())
        # The reports' one source of published figures, for this survey's wave only.
        results = [
            r
            for r in published_surveys(survey.programme, wave=survey.wave)
            if r.survey.pk == survey.pk
        ]
        if not results:
            raise PermissionDenied
        result = results[0]
        items = []
        for item in result.items:
            shown = item.shown and not item.too_alike and item.n > 0
            distribution = item.distribution if shown else None
            items.append(
                {
                    "question": item.question.pk,
                    "text": item.question.text(),
                    "kind": item.question.kind,
                    "shown": shown,
                    "n": item.n if shown else None,
                    "mean": distribution.mean if distribution is not None else None,
                    "favourable": _share(item.favourable) if shown else None,
                    "counts": list(distribution.counts) if distribution is not None else None,
                    "choices": dict(item.choices) if shown and item.choices else None,
                }
            )
        data = {
            "survey": survey.pk,
            "published": result.published,
            "rates": [
                {
                    "role": row.role,
                    "invited": row.invited,
                    "responded": row.responded,
                    "rate": _share(row.rate),
                }
                for row in result.rates
            ],
            "items": items,
            "hidden_items": result.hidden_items,
        }
        return Response(s.SurveyResultSerializer(data).data)
