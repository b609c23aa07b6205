"""Small helpers with no domain: exact money in 万元, Chinese working days, text normalisation.

Also owns the admin-editable calendar override table the working-day helper reads.
"""
