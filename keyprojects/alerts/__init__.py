"""The warning centre (预警中心): one rule engine whose configurable rules turn tasks, preliminary
items, starts, investment, reporting, 入统 and funds into yellow/red warnings with a history."""
