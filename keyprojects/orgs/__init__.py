"""Organisations, users and their roles: the role predicates (user.is_office, user.is_leader,
user.sees_everything), office-only actions and the organisations a user may pick (orgs.access); the
office's own settings (orgs.selectors.office_settings) and users' passwords.

Imports no domain app; each object kind's access gate lives beside it, in its app's access.py.
"""
