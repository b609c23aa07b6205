"""Hooks: how a lower app lets higher apps act on its changes without importing them.

The lower app owns the hook and sends; each higher app registers its receiver in AppConfig.ready.
Receivers run in the order registered, inside the sender's transaction."""

from collections.abc import Callable


class Hook:
    def __init__(self, name: str):
        self.name = name
        self._receivers: dict[str, Callable] = {}

    def register(self, receiver: Callable) -> Callable:
        # Keyed by name, so a ready() that runs twice (tests, reloads) registers once.
        self._receivers[f"{receiver.__module__}.{receiver.__qualname__}"] = receiver
        return receiver

    def send(self, **kwargs) -> list:
        """Call every receiver with KWARGS; return their results in order."""
        return [receiver(**kwargs) for receiver in self._receivers.values()]

    def __repr__(self):
        return f"<Hook {self.name}: {len(self._receivers)} receivers>"
