"""The office's holiday schedules (节假日安排): entering a year's State Council notice, checking and
confirming it, and the pages for it. The calendar itself (days, provisional years) lives in lib."""
