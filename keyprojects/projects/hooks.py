import enum

from keyprojects.lib.hooks import Hook


class Change(enum.Enum):
    """What changed about a project, as the apps that change it say it."""

    PROJECT = "project"  # the project itself: stage, dates, anything
    STATISTICS = "statistics"  # 入统
    PRELIMINARY = "preliminary"  # 前期事项
    FUNDS = "funds"  # 要素需求: funds
    REPORT = "report"  # a monthly report submitted, approved or returned
    TASKS = "tasks"  # its tasks
    OPERATING = "operating"  # 投产达效 targets and actuals


# Sent with project_ids=[…], change=Change.X, after_commit=bool. AFTER_COMMIT asks receivers to act once
# the sender's transaction has committed; DEFER=True (monthly reports, a city's owners all at once) only
# to note the change in it and act off the request path, within a minute.
project_changed = Hook("project_changed")

# Sent with item=PrelimItem, by=user whenever an item is saved as done, inside the writer's transaction:
# the tasks app completes the tasks generated from it (an item and its task are one fact).
prelim_item_done = Hook("prelim_item_done")
