"""Claim checking: readers and writers of claim files (``formats``), edits and the engine."""
