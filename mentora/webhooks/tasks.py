from django_tasks import task

from mentora.webhooks import services


@task()
def deliver(delivery_id: int) -> str:
    """Send one webhook delivery; a failure queues the next try itself."""
    return services.delivery_attempt(delivery_id=delivery_id)
