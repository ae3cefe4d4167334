"""Goals become rows: what measures each, its target and the primary outcome.

Each line of the old free-text goals becomes an unmeasured goal, in order; the text field
is renamed here and dropped by the next migration, once its lines are rows.
"""

import django.db.models.deletion
from django.db import migrations, models


def goals_from_lines(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    ProgrammeGoal = apps.get_model("programmes", "ProgrammeGoal")
    goals = []
    for pk, text in Programme.objects.exclude(goals_text="").values_list("pk", "goals_text"):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        goals.extend(
            ProgrammeGoal(programme_id=pk, position=i, text=line[:300], measure="none")
            for i, line in enumerate(lines)
        )
    ProgrammeGoal.objects.bulk_create(goals, batch_size=1000)


def lines_from_goals(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    ProgrammeGoal = apps.get_model("programmes", "ProgrammeGoal")
    lines: dict[int, list[str]] = {}
    for programme_id, text in ProgrammeGoal.objects.order_by("position", "pk").values_list(
        "programme_id", "text"
    ):
        lines.setdefault(programme_id, []).append(text)
    for programme_id, texts in lines.items():
        Programme.objects.filter(pk=programme_id).update(goals_text="\n".join(texts))


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0003_events_move_to_their_own_app"),
    ]

    operations = [
        migrations.RenameField(model_name="programme", old_name="goals", new_name="goals_text"),
        migrations.CreateModel(
            name="ProgrammeGoal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("text", models.CharField(max_length=300, verbose_name="goal")),
                (
                    "measure",
                    models.CharField(
                        choices=[
                            ("none", "Not measured in Mentora"),
                            ("retention", "Participants still employed after a number of months"),
                            ("scale_mean", "Mean of a survey scale at the end"),
                            ("scale_favourable", "Share favourable on a survey scale at the end"),
                            ("nps", "Net promoter score at the end"),
                            ("pairs_met", "Share of pairs that met at least a number of times"),
                            ("pair_goals", "Share of pair goals reached"),
                            ("response_rate", "Response rate of the end survey"),
                        ],
                        default="none",
                        max_length=20,
                        verbose_name="measured by",
                    ),
                ),
                (
                    "target",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="Per cent for shares and retention, 1-5 for a scale mean, -100 to 100 for NPS.",
                        max_digits=6,
                        null=True,
                        verbose_name="target",
                    ),
                ),
                (
                    "construct",
                    models.SlugField(
                        blank=True,
                        help_text="The scale's code in the survey instrument, such as career_confidence.",
                        verbose_name="survey scale",
                    ),
                ),
                (
                    "horizon_months",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="For retention: months after the programme's start.",
                        null=True,
                        verbose_name="after how many months",
                    ),
                ),
                (
                    "min_meetings",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="For pairs that met: 1 counts every pair with a meeting.",
                        null=True,
                        verbose_name="at least this many meetings",
                    ),
                ),
                (
                    "primary",
                    models.BooleanField(
                        default=False,
                        help_text="The one outcome the programme is judged on, chosen before any data.",
                        verbose_name="primary outcome",
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="goals",
                        to="programmes.programme",
                    ),
                ),
            ],
            options={
                "verbose_name": "programme goal",
                "verbose_name_plural": "programme goals",
                "ordering": ["position", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("primary", True)),
                        fields=("programme",),
                        name="programme_goal_one_primary",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("measure", "none"), ("target__isnull", False), _connector="OR"
                        ),
                        name="programme_goal_measured_has_target",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("primary", False),
                            models.Q(("measure", "none"), _negated=True),
                            _connector="OR",
                        ),
                        name="programme_goal_primary_is_measured",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("measure", "retention"), _negated=True),
                            ("horizon_months__gte", 1),
                            _connector="OR",
                        ),
                        name="programme_goal_retention_has_horizon",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("measure", "pairs_met"), _negated=True),
                            ("min_meetings__gte", 1),
                            _connector="OR",
                        ),
                        name="programme_goal_pairs_met_has_count",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("measure__in", ["scale_mean", "scale_favourable"]), _negated=True
                            ),
                            models.Q(("construct", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="programme_goal_scale_has_construct",
                    ),
                ],
            },
        ),
        migrations.RunPython(goals_from_lines, lines_from_goals),
    ]
