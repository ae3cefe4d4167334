from __future__ import annotations

from django.conf import settings
from django.db import connections, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentora.accounts.models import Organisation


class OrgUnitKind(models.TextChoices):
    DIVISION = "division", _("Division")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")
    OTHER = "other", _("Unit")


class OrgUnit(models.Model):
    """A node of an organisation's unit tree: division > department > team, any depth."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="org_units"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgUnitKind.choices)

    class Meta:
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "parent", "name"], name="orgunit_unique_name_under_parent"
            ),
            # NULLs are distinct in unique constraints, so top-level units need their own.
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=models.Q(parent__isnull=True),
                name="orgunit_unique_top_level_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


def label_related(path: str) -> tuple[str, str]:
    """What `select_related` needs for the label of the person at `path` (for example
    "mentee__person"), so that a list of labels costs one query."""
    return (f"{path}__organisation", f"{path}__org_unit")


# How an erased person is shown: their row stays, emptied, so that pairs and figures that
# counted them still add up (see mentora/subject_requests).
ERASED_NAME = _("A former participant")


def person_name(first_name: str, last_name: str) -> str:
    """A person's name as every page shows it (`Person.full_name`), from its two parts."""
    # An erased person keeps their row (what they were counted in) but not their name.
    return f"{first_name} {last_name}".strip() or str(ERASED_NAME)


# A search looks at this many words of what was typed, and at this many units per word.
SEARCH_WORDS = 4
SEARCH_UNITS = 1000


def _name_begins(word: str) -> Q:
    """A first or last name beginning with `word`, whatever the case."""
    return Q(first_name__istartswith=word) | Q(last_name__istartswith=word)


class PersonQuerySet(models.QuerySet["Person"]):
    def current(self) -> PersonQuerySet:
        return self.filter(leave_date__isnull=True)

    def matching(self, text: str, *, organisation: Organisation) -> PersonQuerySet:
        """People of `organisation` for whom every word of `text` begins their first or
        last name, e-mail address or employee id, or is in their unit's name, whatever the
        case.

        People are matched on beginnings only, so that PostgreSQL answers from the indexes
        on those columns (migration 0004) however large the directory. Units are few, so
        their names are searched whole and their ids looked up first (the first 1,000 by
        name); the people are then found through the index on their unit.
        """
        people = self.filter(organisation=organisation)
        for word in text.split()[:SEARCH_WORDS]:
            units = OrgUnit.objects.filter(organisation=organisation, name__icontains=word)
            unit_ids = list(units.order_by("name").values_list("pk", flat=True)[:SEARCH_UNITS])
            people = people.filter(
                _name_begins(word)
                | Q(email__istartswith=word)
                | Q(employee_id__istartswith=word)
                | Q(org_unit_id__in=unit_ids)
            )
        return people

    def named(self, text: str) -> PersonQuerySet:
        """People for whom every word of `text` (the first `SEARCH_WORDS`) begins their
        first or last name, whatever the case. Given their organisation, PostgreSQL answers
        from the indexes of migration 0004, however large the directory."""
        people = self
        for word in text.split()[:SEARCH_WORDS]:
            people = people.filter(_name_begins(word))
        return people

    def locations(self, *, organisation: Organisation) -> list[str]:
        """The distinct locations of `organisation`'s people, in order.

        A plain DISTINCT reads every person; this asks the index on (organisation,
        location) for the first location after the last one found, once per location,
        so it costs a few lookups however large the directory (a "loose index scan",
        which neither database plans by itself).
        """
        table = self.model._meta.db_table
        sql = (
            f"WITH RECURSIVE found(location) AS ("
            f" SELECT MIN(location) FROM {table} WHERE organisation_id = %s AND location > ''"
            f" UNION ALL"
            f" SELECT (SELECT MIN(location) FROM {table}"
            f"  WHERE organisation_id = %s AND location > found.location)"
            f" FROM found WHERE found.location IS NOT NULL"
            f") SELECT location FROM found WHERE location IS NOT NULL"
        )
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [organisation.pk, organisation.pk])
            return [row[0] for row in cursor.fetchall()]


class Person(models.Model):
    """Someone in an organisation's HR data, whether or not they take part or log in."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    employee_id = models.CharField(_("employee id"), max_length=64)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail address"), blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    location = models.CharField(_("location"), max_length=120, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    # Sensitive: shown only to staff explicitly trusted with it (see accounts.access).
    gender = models.CharField(_("gender"), max_length=40, blank=True)
    # Someone outside the HR data (an alumnus or volunteer mentor, an expert, staff of a
    # partner organisation), added as a guest of one programme; the HR import leaves
    # them alone.
    external = models.BooleanField(_("guest from outside the HR data"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "employee_id"], name="person_unique_employee_id"
            ),
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("pk")), name="person_not_own_manager"
            ),
        ]
        # The directory of a large organisation: its first page in each sort order, its
        # count of current people and its list of locations come from these indexes
        # instead of reading every person (the searches use those of migration 0004).
        indexes = [
            models.Index(
                fields=["organisation", "last_name", "first_name", "id"],
                name="person_directory_name",
            ),
            models.Index(
                fields=["organisation", "job_title", "last_name"],
                name="person_directory_job_title",
            ),
            models.Index(fields=["organisation", "location"], name="person_directory_location"),
            models.Index(
                fields=["organisation"],
                condition=models.Q(leave_date__isnull=True),
                name="person_directory_current",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return person_name(self.first_name, self.last_name)

    @property
    def context(self) -> str:
        """Organisation, unit and job title: what tells apart two people of the same name
        wherever someone is chosen or listed (select "organisation", "org_unit" with it)."""
        unit = self.org_unit.name if self.org_unit_id and self.org_unit else ""
        parts = (self.organisation.name, unit, self.job_title)
        return " · ".join(part for part in parts if part)

    @property
    def label(self) -> str:
        """The name with its context, for a choice in a list (an option, a checkbox)."""
        context = self.context
        return f"{self.full_name} ({context})" if context else self.full_name

    def management_chain(self) -> list[Person]:
        """Managers from the direct one upwards; stops if the data ever loops."""
        chain: list[Person] = []
        seen = {self.pk}
        current = self.manager
        while current is not None and current.pk not in seen:
            chain.append(current)
            seen.add(current.pk)
            current = current.manager
        return chain


class ColumnMapping(models.Model):
    """How an organisation's HR export names its columns; reused on the next import."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="column_mapping"
    )
    # {source column in the file: Mentora column}
    mapping = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("column mapping")

    def __str__(self) -> str:
        return str(self.organisation)


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    CHECKING = "checking", _("Checking the file")
    PREVIEWED = "previewed", _("Ready to apply")
    INVALID = "invalid", _("Has problems")
    APPLYING = "applying", _("Applying")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# A run in one of these can go no further, so its uploaded file is of no more use.
FINISHED_STATUSES = (
    ImportStatus.INVALID,
    ImportStatus.DONE,
    ImportStatus.FAILED,
    ImportStatus.CANCELLED,
)


class ImportRun(models.Model):
    """One upload of an HR file: its preview, its problems and, once applied, its counts."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="import_runs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The HR file itself, kept only while the run may still be applied (7 days at most);
    # blank once deleted, while the run keeps its counts and problems.
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    full = models.BooleanField(
        _("full export"),
        default=False,
        help_text=_("People missing from the file are marked as left."),
    )
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default="pending")
    stage = models.CharField(max_length=40, blank=True)
    progress = models.FloatField(default=0.0)
    counts = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("people import")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in {ImportStatus.PENDING, ImportStatus.CHECKING, ImportStatus.APPLYING}

    @property
    def percent(self) -> int:
        return round(self.progress * 100)
