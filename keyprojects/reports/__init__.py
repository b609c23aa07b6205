"""Exports for the outside world: the OC4IDS open-data project package, and global search."""
