"""Background work of access and erasure requests: arguments are primary keys."""

from django_tasks import task

from mentora.accounts.models import User
from mentora.subject_requests import services


@task()
def run_access_request(request_id: int) -> str:
    return services.requests.access_request_run(request_id=request_id).status


@task()
def run_erasure_request(request_id: int) -> str:
    return services.requests.erasure_request_run(request_id=request_id).status


@task()
def erase_person(person_id: int, actor_id: int | None = None) -> str:
    """For schedules (the retention schedule erases people who left long ago): erase the
    person, recording the erasure on the organisation's list of requests."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return services.person_erase(person_id=person_id, actor=actor).status
