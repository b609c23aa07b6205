"""Hooks orgs sends on its changes, for the apps above it (orgs imports none of them).

`orgs_changed` is sent with by=, instance=, action= ("create", "update", "delete"), before= and after=
(snapshots as audit.services.snapshot makes them); the audit app registers its history writer on it.

`office_settings_changed` is sent with by=, settings= (the saved OfficeSettings) and changed= (the names
of the fields whose value changed) after an office admin saves the settings page."""

from keyprojects.lib.hooks import Hook

orgs_changed = Hook("orgs_changed")
office_settings_changed = Hook("office_settings_changed")

# Sent with by=, username= and ip= (either may be None) after an office admin lifts a login lockout.
login_unlocked = Hook("login_unlocked")
