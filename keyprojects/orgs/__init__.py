"""Organisations, users and their roles, and the scoping gate.

Every page, export and search asks `selectors.projects_visible_to` and
`selectors.get_project_for_user` what a user may see.
"""
