"""Dotted answer keys (« formations.sessions.0.organisme »): the pieces they are made of."""

from __future__ import annotations


def is_index(part: str) -> bool:
    """True for a list position in a dotted key: ASCII digits only (« ² » is a key's text)."""
    return part.isascii() and part.isdigit()
