"""Orchestration: a practice session (run) and timing drills (drill), parts injected."""
