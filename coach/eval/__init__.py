"""Measuring the segmenter, checks and filler detection on labelled data the caller
passes in (the scripts in scripts/ point them at tests/data)."""
