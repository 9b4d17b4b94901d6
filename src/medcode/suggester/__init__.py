"""Codes from a clinical note: ranked ICD-10-CM / ICD-10-PCS suggestions, each with the
spans of the note that justify it.

    >>> from medcode.suggester import suggest
    >>> suggest(store, "Type 2 diabetic with peripheral neuropathy.")[0].code  # doctest: +SKIP
    'E11.40'

How it reads (see README "Codes from a clinical note"): sentences and words with offsets
(``text``), negation/uncertainty/family/history cues, mentions of every code title,
inclusion term and synonym, the parts of joined titles ("Syncope and collapse") and the
sites of the Neoplasm Table (``lexicon``, ``match``), phrases learned from training notes,
the codes of the most similar training notes (a vote, never a proposal), and a small logistic
ranker (``model``). Search internals are reached only through
``adapter``.
"""

from __future__ import annotations

from medcode.suggester.core import Suggestion, suggest

__all__ = ["Suggestion", "suggest"]
