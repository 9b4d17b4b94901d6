"""Crosswalks between ICD-9-CM, ICD-10-CM/PCS, WHO ICD-10 and ICD-11 (see mapping.py), and
lookup of the WHO classifications (who.py)."""

from medcode.codes.crosswalk.mapping import SYSTEMS, gem_targets, map_codes, mapper

__all__ = ["SYSTEMS", "gem_targets", "map_codes", "mapper"]
