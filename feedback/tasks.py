"""Celery tasks of feedback: thin wrappers around idempotent services."""

from celery import shared_task


@shared_task(name="feedback.invitations_send_due")
def invitations_send_due_task() -> dict[str, int]:
    """Beat (every 5 minutes): expire, send due invitations and reminders, and open
    follow-up cases that an earlier task did not get to."""
    from .services.invitations import invitations_send_due
    from .services.responses import response_followups_open_missing

    counts = invitations_send_due()
    counts["followups_opened"] = response_followups_open_missing()
    return counts


@shared_task(
    name="feedback.invitation_send", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def invitation_send_task(invitation_id: int) -> str:
    """Send one invitation now (when it was due at delivery already)."""
    from .services.invitations import invitation_send

    return invitation_send(invitation_id=invitation_id)


@shared_task(name="feedback.response_followup")
def response_followup_task(response_id: int) -> int | None:
    """Open the follow-up case of one unhappy answer."""
    from .services.responses import response_followup_open

    case = response_followup_open(response_id=response_id)
    return case.pk if case else None


@shared_task(name="feedback.rollup_refresh")
def rollup_refresh_task() -> int:
    """Beat (every 15 minutes): rebuild the rollups of the last few days."""
    from .services.rollups import rollup_refresh

    return rollup_refresh()


@shared_task(name="feedback.outcome_rollup_refresh")
def outcome_rollup_refresh_task() -> int:
    """Beat (every 15 minutes): rebuild the outcome rollups of the last two weeks."""
    from .services.outcomes import outcome_rollup_refresh

    return outcome_rollup_refresh()
