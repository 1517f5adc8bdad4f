"""Background jobs of the inbox: thin wrappers around services, idempotent."""

from celery import shared_task

from . import services


@shared_task(name="jcportal.inbox.tasks.hand_over_absences", acks_late=True, ignore_result=True)
def hand_over_absences() -> int:
    """Absences that began today: the absent person's open items also go to the deputies."""
    return services.hand_over_begun_absences()
