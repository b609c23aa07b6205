"""The year's key-project list and what owners report against it every month.

Annual lists in batches, entries with their plan, intake proposals, plan changes, monthly reports and
their review, month locks, the Excel import of published lists, and completion against plan.
"""
