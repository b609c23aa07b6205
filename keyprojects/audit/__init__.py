"""The audit history of key records: who changed what, when, from which value to which.

Services call `audit_record` inside their own transaction, so a change and its history land together.
"""
