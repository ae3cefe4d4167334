from django_tasks import task

from mentora.surveys import services
from mentora.surveys.models import Survey


@task()
def send_survey(survey_id: int) -> int:
    """E-mail a survey's invitees who have not had it yet."""
    return services.survey_send(survey=Survey.objects.select_related("programme").get(pk=survey_id))


@task()
def remind_surveys() -> int:
    """Send surveys that have opened, remind those who have not answered, and tell the
    webhooks of surveys that have closed."""
    sent = services.survey_remind()
    services.surveys_announce_closed()
    return sent
