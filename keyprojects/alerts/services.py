"""The warning centre's writes. (Being built: see issue 4.)"""


def warnings_refresh(*, project_ids, now=None) -> None:
    """Recompute every rule's warnings for PROJECT_IDS. Called by the services that change what the
    rules look at (tasks, preliminary items, stages, reports), inside their transaction."""
