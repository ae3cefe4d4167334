"""What the API says about each object: facts, ids and statuses.

Nothing a pair writes (notes, agendas, reflections, feedback, agreements, closure texts,
stories) has a field here, nor the reasons for ending or declining, nor sensitive
attributes: a serializer lists its fields one by one, so a new model field stays out until
someone decides it may be shown."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mentora.accounts.models import Organisation
from mentora.events.models import Event, EventRegistration
from mentora.people.models import OrgUnit, Person
from mentora.programmes.models import Participant, ParticipantStatus, Programme
from mentora.relationships.models import Pair
from mentora.rounds.models import MatchingRound, Proposal, UnmatchedParticipant
from mentora.surveys.models import Survey


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ["slug", "name"]


class OrgUnitSerializer(serializers.ModelSerializer[OrgUnit]):
    class Meta:
        model = OrgUnit
        fields = ["id", "name", "kind", "parent"]


class PersonSerializer(serializers.ModelSerializer[Person]):
    class Meta:
        model = Person
        fields = [
            "id",
            "employee_id",
            "first_name",
            "last_name",
            "email",
            "job_title",
            "org_unit",
            "manager",
            "location",
            "hire_date",
            "leave_date",
        ]


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "organisation",
            "name",
            "kind",
            "delivery",
            "start_date",
            "end_date",
            "influence_mode",
            "applications_open",
        ]


class ParticipantSerializer(serializers.ModelSerializer[Participant]):
    class Meta:
        model = Participant
        fields = [
            "id",
            "programme",
            "person",
            "role",
            "status",
            "status_changed_at",
            "line_manager_decision",
            "created_at",
        ]


class AnswerSerializer(serializers.Serializer[Any]):
    question = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()
    answer = serializers.JSONField()


class ParticipantDetailSerializer(ParticipantSerializer):
    answers = serializers.SerializerMethodField()

    class Meta(ParticipantSerializer.Meta):
        fields = [*ParticipantSerializer.Meta.fields, "answers"]

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, participant: Participant) -> list[dict[str, Any]]:
        questions = {
            str(q.pk): q for q in participant.programme.questions.filter(role=participant.role)
        }
        return [
            {
                "question": questions[key].pk if key in questions else None,
                "text": questions[key].text if key in questions else "",
                "answer": value,
            }
            for key, value in participant.answers.items()
        ]


class TransitionSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ParticipantStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RoundSerializer(serializers.ModelSerializer[MatchingRound]):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = MatchingRound
        fields = [
            "id",
            "programme",
            "number",
            "kind",
            "status",
            "stage",
            "percent",
            "created_at",
            "finished_at",
        ]


class ProposalSerializer(serializers.ModelSerializer[Proposal]):
    class Meta:
        model = Proposal
        fields = [
            "id",
            "mentee",
            "mentor",
            "score",
            "explanation",
            "contributions",
            "locked",
            "manual",
            "pair",
        ]


class UnmatchedSerializer(serializers.ModelSerializer[UnmatchedParticipant]):
    class Meta:
        model = UnmatchedParticipant
        fields = ["participant", "reason_code", "reason"]


class RoundDetailSerializer(RoundSerializer):
    proposals = ProposalSerializer(many=True, read_only=True)
    unmatched = serializers.SerializerMethodField()

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "proposals", "unmatched"]

    @extend_schema_field(UnmatchedSerializer(many=True))
    def get_unmatched(self, matching_round: MatchingRound) -> Any:
        return UnmatchedSerializer(
            UnmatchedParticipant.objects.filter(matching_round=matching_round), many=True
        ).data


class HealthSerializer(serializers.Serializer[Any]):
    light = serializers.ChoiceField(choices=["green", "amber", "red"])
    meetings_held = serializers.IntegerField()
    meetings_expected = serializers.FloatField()
    days_since_last_meeting = serializers.IntegerField(allow_null=True)
    quiet_days = serializers.IntegerField()
    rating_trend = serializers.FloatField(allow_null=True)
    goals_touched = serializers.BooleanField()
    midway = serializers.BooleanField()


class PairSerializer(serializers.ModelSerializer[Pair]):
    active = serializers.BooleanField(source="is_active", read_only=True)
    health = serializers.SerializerMethodField()

    class Meta:
        model = Pair
        fields = [
            "id",
            "programme",
            "mentee",
            "mentor",
            "matching_round",
            "score",
            "started_at",
            "ended_at",
            "active",
            "health",
        ]

    @extend_schema_field(HealthSerializer)
    def get_health(self, pair: Pair) -> dict[str, Any]:
        from mentora.relationships.health import pair_health

        health = pair_health(pair)
        return {
            "light": health.light,
            "meetings_held": health.held,
            "meetings_expected": round(health.expected, 2),
            "days_since_last_meeting": health.days_since_last,
            "quiet_days": health.quiet_days,
            "rating_trend": health.rating_trend,
            "goals_touched": health.goals_touched,
            "midway": health.midway,
        }


class EventSerializer(serializers.ModelSerializer[Event]):
    class Meta:
        model = Event
        fields = [
            "id",
            "programme",
            "kind",
            "title",
            "starts_at",
            "duration_minutes",
            "place",
            "capacity",
            "required_for",
        ]


class RegistrationSerializer(serializers.ModelSerializer[EventRegistration]):
    class Meta:
        model = EventRegistration
        fields = ["id", "event", "participant", "status", "registered_at"]


class SurveySerializer(serializers.ModelSerializer[Survey]):
    instrument = serializers.CharField(source="instrument.name", read_only=True)

    class Meta:
        model = Survey
        fields = ["id", "programme", "instrument", "wave", "roles", "opens_at", "closes_at"]


class RateSerializer(serializers.Serializer[Any]):
    role = serializers.CharField()
    invited = serializers.IntegerField()
    responded = serializers.IntegerField(allow_null=True)
    rate = serializers.FloatField(allow_null=True)


class ItemSerializer(serializers.Serializer[Any]):
    question = serializers.IntegerField()
    text = serializers.CharField()
    kind = serializers.CharField()
    shown = serializers.BooleanField()
    n = serializers.IntegerField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)
    favourable = serializers.FloatField(allow_null=True)
    counts = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    choices = serializers.DictField(
        child=serializers.IntegerField(allow_null=True), allow_null=True
    )


class SurveyResultSerializer(serializers.Serializer[Any]):
    survey = serializers.IntegerField()
    published = serializers.BooleanField()
    rates = RateSerializer(many=True)
    items = ItemSerializer(many=True)
    hidden_items = serializers.IntegerField()
