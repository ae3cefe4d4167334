from django_tasks import task

from mentora.accounts.models import User
from mentora.people import services
from mentora.people.models import ImportRun


@task()
def preview_import(run_id: int) -> str:
    run = services.import_preview(run=ImportRun.objects.get(pk=run_id))
    return run.status


@task()
def apply_import(run_id: int, actor_id: int | None) -> str:
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    run = services.import_apply(run=ImportRun.objects.get(pk=run_id), actor=actor)
    return run.status
