"""Checking claims in bulk: an input cut into parts (``parts``), checked on all cores
(``parallel``); ``medcode.spark`` does the same on an Apache Spark cluster."""
