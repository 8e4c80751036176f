"""The words to listen for: terms that bias the recogniser toward the answer's jargon.

Three sources, most important first: the user's own list (``coach config vocabulary``
and ``--vocabulary``), the question's key terms (``terms`` in prompts/questions.toml) and
the rubric's keywords (``keywords`` in prompts/rubric.toml). The recogniser gets them as
Whisper "hotwords" (see ``TranscribeOptions.vocabulary``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from coach.errors import InputError
from coach.prompts import Question, question_terms, rubric_keywords

MAX_TERMS = 50
"""The most terms a user's list may hold (the settings file's and --vocabulary's together)."""
MAX_TERM_CHARS = 40
"""The longest term, in characters: a word or a short phrase, not a sentence."""


def check_term(term: str) -> str:
    """``term`` with its spaces tidied; ValueError (with the reason) when it is not a
    usable term: empty, too long, with no letter or digit, or with a control character."""
    tidy = " ".join(term.split())
    if not tidy:
        raise ValueError("an empty term")
    if len(tidy) > MAX_TERM_CHARS:
        raise ValueError(f"{tidy[:20]!r}... is longer than {MAX_TERM_CHARS} characters")
    if not tidy.isprintable():
        raise ValueError(f"{tidy!r} holds a control character")
    if not re.search(r"\w", tidy):
        raise ValueError(f"{tidy!r} has no letter or digit")
    return tidy


def merge(*lists: Iterable[str]) -> tuple[str, ...]:
    """The terms of ``lists`` in order, each once (the first spelling wins: "postgres"
    after "Postgres" is dropped)."""
    seen: set[str] = set()
    out: list[str] = []
    for terms in lists:
        for term in terms:
            key = term.casefold()
            if key not in seen:
                seen.add(key)
                out.append(term)
    return tuple(out)


def parse_terms(value: str | Iterable[str], what: str = "vocabulary") -> tuple[str, ...]:
    """A user's list: comma-separated text ("Kubernetes, Postgres, p99, on-call") or a list
    of terms, checked and without repeats; InputError naming ``what`` when a term is
    unusable or there are more than MAX_TERMS. Empty text is an empty list."""
    if isinstance(value, str):
        parts = value.split(",")
        parts = [p for p in parts if p.strip()]  # "a, b," and "" are fine
    elif isinstance(value, list | tuple) and all(isinstance(p, str) for p in value):
        parts = list(value)
    else:
        raise InputError(f"{what} must be terms separated by commas, not {value!r}")
    try:
        terms = merge(check_term(p) for p in parts)
    except ValueError as exc:
        raise InputError(f"{what}: {exc} (terms are words or short phrases, separated by "
                         "commas)") from None
    if len(terms) > MAX_TERMS:
        raise InputError(f"{what}: {len(terms)} terms, at most {MAX_TERMS}")
    return terms


def answer_vocabulary(question: Question | None, own: Iterable[str] = ()) -> tuple[str, ...]:
    """Everything to listen for in an answer to ``question`` (None: a question not known):
    the user's ``own`` terms, then the key terms of the question as it was worded, then the
    rubric's keywords."""
    asked = question_terms(question.id, question.text) if question is not None else ()
    return merge(own, asked, rubric_keywords())
