"""Exceptions raised by the store.

Messages are one line and never carry SQL parameters, URLs with passwords or driver text that
may echo user data back: callers log them, and nothing a user typed may reach a log.
"""

from __future__ import annotations


class StoreError(Exception):
    """The database could not be opened, migrated or used."""


class DuplicateCaseError(StoreError):
    """A case with the same (platform, owner, label, event) is already tracked."""


class FencedOut(StoreError):
    """A ledger write came from a scheduler leader whose term has ended: another replica leads
    now, so this one must not claim or send anything more."""
