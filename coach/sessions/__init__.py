"""Stored sessions: the store and its files (store), history, replay, HTML and progress."""
