"""Evaluation surveys: instruments, questions, scheduled surveys, invitations and answers.

Who was invited (Invitation) and what was answered (Response, Answer) live apart. A
response carries only a pseudonymous key, an HMAC of the programme and the person under a
key derived from SECRET_KEY, so a person's start and end answers link without the answer
rows naming anyone. See docs/evaluation.md for the design and its limits.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mentora.accounts.models import Organisation
from mentora.core.fields import EncryptedTextField

# A result of fewer respondents than this is never shown (one threshold for every report).
from mentora.stats.anonymity import MINIMUM_GROUP as MINIMUM_GROUP


def pseudonymous_key(programme_id: int, person_id: int) -> str:
    """The key that links one person's answers within one programme, and nothing else.

    Keyed per programme, so answers cannot be linked across programmes; keyed with a secret,
    so the key cannot be recomputed from the database alone.
    """
    return salted_hmac(
        "mentora.surveys.pseudonymous-key",
        f"{programme_id}:{person_id}",
        secret=settings.SECRET_KEY,
        algorithm="sha256",
    ).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(24)


class InstrumentSource(models.TextChoices):
    BUILTIN = "builtin", _("Mentora's library")
    ORGANISATION = "organisation", _("Owned by the organisation")
    PROGRAMME = "programme", _("The programme's own questions")


class Wave(models.TextChoices):
    START = "start", _("Start of the programme")
    MIDWAY = "midway", _("Midway")
    END = "end", _("End of the programme")
    CUSTOM = "custom", _("Another time")


class Audience(models.TextChoices):
    MENTOR = "mentor", _("Mentors")
    MENTEE = "mentee", _("Mentees")
    LINE_MANAGER = "line_manager", _("Line managers")


class QuestionKind(models.TextChoices):
    SCALE = "scale_1_5", _("Agreement, 1 to 5")
    NPS = "nps", _("Recommendation, 0 to 10")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Free text")


NUMERIC_KINDS = frozenset({QuestionKind.SCALE, QuestionKind.NPS})
CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})


class InstrumentQuerySet(models.QuerySet["Instrument"]):
    def available_to(self, organisation: Organisation) -> InstrumentQuerySet:
        """The library plus what this organisation owns; never another organisation's."""
        return self.filter(
            models.Q(source=InstrumentSource.BUILTIN)
            | models.Q(source=InstrumentSource.ORGANISATION, organisation=organisation)
        )


class Instrument(models.Model):
    """A set of questions with its licence: Mentora's own, an organisation's, or a programme's."""

    slug = models.SlugField(_("short name"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    wave = models.CharField(_("wave"), max_length=10, choices=Wave.choices, default=Wave.CUSTOM)
    source = models.CharField(_("source"), max_length=20, choices=InstrumentSource.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="instruments"
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="instruments",
    )
    languages = models.JSONField(_("languages"), default=list)
    licence_name = models.CharField(_("licence"), max_length=200)
    licence_holder = models.CharField(_("licence holder"), max_length=200)
    licence_url = models.URLField(_("licence link"), blank=True)
    may_redistribute = models.BooleanField(_("may be redistributed"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["source", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(source="builtin"),
                name="instrument_builtin_slug_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "slug"],
                condition=models.Q(source="organisation"),
                name="instrument_organisation_slug_unique",
            ),
            # Only an organisation's own instrument names an organisation, and it must.
            models.CheckConstraint(
                condition=models.Q(source="organisation", organisation__isnull=False)
                | (~models.Q(source="organisation") & models.Q(organisation__isnull=True)),
                name="instrument_organisation_matches_source",
            ),
            models.CheckConstraint(
                condition=models.Q(source="programme", programme__isnull=False)
                | (~models.Q(source="programme") & models.Q(programme__isnull=True)),
                name="instrument_programme_matches_source",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def questions_for(self, role: str) -> list[Question]:
        return [q for q in self.questions.all() if role in q.audience]


class Question(models.Model):
    """One question of an instrument, stored in English and Danish."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text_en = models.CharField(_("question in English"), max_length=400)
    text_da = models.CharField(_("question in Danish"), max_length=400)
    # [{"value": "yes", "en": "Yes", "da": "Ja"}, ...] for choice questions.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    construct = models.CharField(_("scale"), max_length=60, blank=True)
    # Who is asked: a subset of Audience values.
    audience = models.JSONField(_("asked of"), default=list)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["instrument", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "code"], name="survey_question_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text_en}"

    def text(self, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        return self.text_da if language == "da" and self.text_da else self.text_en

    def choice_labels(self, language: str | None = None) -> list[tuple[str, str]]:
        language = (language or get_language() or "en")[:2]
        return [
            (str(c["value"]), str(c.get(language) or c.get("en") or c["value"]))
            for c in self.choices
        ]

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def wording_key(self) -> str:
        """Items are comparable across programmes only when asked in identical wording."""
        return f"{self.code}|{self.text_en}"


class Survey(models.Model):
    """An instrument sent to some roles of a programme at one wave."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="surveys"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="surveys")
    wave = models.CharField(_("wave"), max_length=10, choices=Wave.choices)
    roles = models.JSONField(_("sent to"), default=list)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    reminder_days = models.PositiveSmallIntegerField(_("days between reminders"), default=7)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When its closing was told to the organisations' webhooks (once, early or on time).
    closed_announced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["opens_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(reminder_days__gte=1), name="survey_reminder_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} - {self.get_wave_display()}"

    def is_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return bool(self.opens_at <= now < self.closes_at)

    def role_labels(self) -> list[str]:
        return [str(Audience(r).label) for r in self.roles if r in Audience.values]


class Invitation(models.Model):
    """Who was asked and whether they answered; never what they answered."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    participant = models.ForeignKey(
        "programmes.Participant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    role = models.CharField(_("role"), max_length=20, choices=Audience.choices)
    token = models.CharField(max_length=60, unique=True, default=new_token)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["survey", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "person", "role"], name="invitation_once_per_person_and_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.user}"

    def key(self) -> str:
        return pseudonymous_key(self.survey.programme_id, self.person_id)


class Response(models.Model):
    """One set of answers, keyed by the pseudonymous key: no user, no person, no time."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    key = models.CharField(max_length=64, db_index=True)
    # The role is needed for the per-role breakdown; small groups are suppressed.
    role = models.CharField(_("role"), max_length=20, choices=Audience.choices)
    language = models.CharField(max_length=8, default="en")

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "key", "role"], name="response_once_per_key_and_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = EncryptedTextField(blank=True)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_once_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"

    def display(self, language: str | None = None) -> str:
        if self.number is not None:
            return str(self.number)
        if self.choices:
            labels = dict(self.question.choice_labels(language))
            return ", ".join(labels.get(c, c) for c in self.choices)
        return self.text
