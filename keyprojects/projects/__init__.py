"""The project registry: projects, their lifecycle stages, preliminary-work items and factor needs.

Writes go through services.py (audited, optimistic-locked); reads and filters through selectors.py.
"""
