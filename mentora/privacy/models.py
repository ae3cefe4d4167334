"""An organisation's data-protection settings, the consents people give, and the record
of each retention run."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Defaults of a retention schedule an organisation has not changed.
DEFAULT_PAIR_TEXT_MONTHS = 12
DEFAULT_SURVEY_TEXT_MONTHS = 6
DEFAULT_LEAVER_YEARS = 2
DEFAULT_AUDIT_YEARS = 5


class PrivacySettings(models.Model):
    """How long an organisation keeps what Mentora stores, and who answers for it."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="privacy_settings"
    )
    pair_text_months = models.PositiveSmallIntegerField(
        _("months the pairs' own texts are kept after the pair ends"),
        default=DEFAULT_PAIR_TEXT_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    survey_text_months = models.PositiveSmallIntegerField(
        _("months free-text survey answers are kept after the survey closes"),
        default=DEFAULT_SURVEY_TEXT_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    leaver_years = models.PositiveSmallIntegerField(
        _("years people who left are kept after their leave date"),
        default=DEFAULT_LEAVER_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    audit_years = models.PositiveSmallIntegerField(
        _("years audit entries are kept"),
        default=DEFAULT_AUDIT_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    controller_name = models.CharField(_("data controller"), max_length=200, blank=True)
    controller_contact = models.CharField(
        _("data controller's contact (address, e-mail)"), max_length=400, blank=True
    )
    dpo_contact = models.CharField(
        _("data protection officer's contact"), max_length=400, blank=True
    )
    processor_name = models.CharField(
        _("data processor (who runs this installation)"), max_length=200, blank=True
    )
    processor_contact = models.CharField(_("data processor's contact"), max_length=400, blank=True)
    requests_contact = models.CharField(
        _("where to ask for access or erasure"), max_length=400, blank=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("data-protection settings")
        verbose_name_plural = _("data-protection settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pair_text_months__gte=1)
                & models.Q(survey_text_months__gte=1)
                & models.Q(leaver_years__gte=1)
                & models.Q(audit_years__gte=1),
                name="privacy_settings_periods_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} data protection"

    @classmethod
    def of(cls, organisation: object) -> PrivacySettings:
        """The organisation's settings, or the defaults (unsaved) until an admin saves some."""
        found = cls.objects.filter(organisation=organisation).first()
        return found if found is not None else cls(organisation=organisation)  # type: ignore[misc]


class ConsentPurpose(models.TextChoices):
    RECORDING = "recording", _("Recording a meeting")
    STORY = "story", _("Publishing my story")
    FOLLOW_UP_SURVEYS = "follow_up_surveys", _("Being asked to answer follow-up surveys")
    EXPERT_NETWORK = "expert_network", _("Appearing in the expert network")


# The wording a person agreed to; a new wording gets a new version, so that each consent
# says which one it was given to.
CONSENT_TEXT_VERSION = "2026-1"


class ConsentQuerySet(models.QuerySet["Consent"]):
    def in_force(self) -> ConsentQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """A person's consent to one purpose, about one thing (a recording, a story, a
    programme), and when it was given and withdrawn."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    text_version = models.CharField(
        _("version of the wording"), max_length=20, default=CONSENT_TEXT_VERSION
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="consents"
    )
    recording = models.ForeignKey(
        "relationships.Recording",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consents",
    )
    story = models.ForeignKey(
        "relationships.Story",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consents",
    )
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=~models.Q(purpose="recording") | models.Q(story__isnull=True),
                name="consent_recording_names_no_story",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class RetentionCategory(models.TextChoices):
    PAIR_TEXTS = "pair_texts", _("The pairs' own texts")
    RECORDINGS = "recordings", _("Meeting recordings and their consents")
    IMPORT_FILES = "import_files", _("Uploaded HR files")
    SURVEY_TEXTS = "survey_texts", _("Free-text survey answers")
    LEAVERS = "leavers", _("People who left the organisation")
    AUDIT = "audit", _("Audit entries")


class RetentionRun(models.Model):
    """One application of an organisation's retention schedule: counts per category,
    never what was removed."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="retention_runs"
    )
    ran_at = models.DateTimeField(default=timezone.now)
    # {category: number removed}
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.ran_at:%Y-%m-%d}"

    @property
    def total(self) -> int:
        return sum(int(n) for n in self.counts.values())

    def rows(self) -> list[tuple[str, int]]:
        """(category label, removed) for every category, in the schedule's order."""
        return [
            (str(label), int(self.counts.get(value, 0)))
            for value, label in RetentionCategory.choices
        ]


class RetentionDone(models.Model):
    """That the retention of one thing (a pair's texts, a leaver) was carried out, so that
    the next run leaves it be. Holds an id, nothing else."""

    category = models.CharField(max_length=20, choices=RetentionCategory.choices)
    object_id = models.PositiveBigIntegerField()
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "object_id"], name="retention_done_once")
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.object_id}"
