"""Background job of the postbox: thin wrapper around the service, idempotent, acked late."""

from celery import shared_task

from . import services


@shared_task(name="jcportal.postbox.tasks.flag_unretrieved", acks_late=True, ignore_result=True)
def flag_unretrieved() -> int:
    """Daily: unretrieved letters become tasks to send them by post."""
    return services.flag_unretrieved()
