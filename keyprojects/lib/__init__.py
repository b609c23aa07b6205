"""Small helpers with no domain: exact money in 万元, Chinese working days, text normalisation.

Also owns the working-day calendar's tables (single-day overrides, the office's confirmed yearly
holiday schedules read from the State Council's notice); the calendars app enters them.
"""
