"""Loading the data files under prompts/ (question bank, timing rules, rubric)."""

from __future__ import annotations

import os
import random
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from coach.errors import InputError


def prompts_dir() -> Path:
    """prompts/ beside the package in a checkout, or coach/_prompts in a wheel."""
    if env := os.environ.get("COACH_PROMPTS_DIR"):
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here / "_prompts", here.parent / "prompts"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("prompts/ data directory not found")


def model_file(name: str) -> Path:
    """A trained model file: models/ beside the package in a checkout, or coach/_models in
    a wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_models" / name, here.parent / "models" / name):
        if candidate.is_file():
            return candidate
    return here.parent / "models" / name


@cache
def load_toml(name: str) -> dict:
    with open(prompts_dir() / name, "rb") as f:
        return tomllib.load(f)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    everyday: str = field(default="", compare=False)
    """The same question in words for any job, without software words (``everyday`` in
    questions.toml), asked when the user chose that wording; "" when ``text`` already is,
    or for a question read back from a saved session, which keeps only the words it was
    asked in (``to_json``; not compared: a question is its id and those words). Kept by
    ``worded``, which only changes ``text``."""

    def to_json(self) -> dict[str, str]:
        """The question as it was asked: its id and the words it was asked in (a saved
        report keeps those, not the other wording)."""
        return {"id": self.id, "text": self.text}

    def worded(self, everyday: bool) -> Question:
        """This question as it is asked: in everyday words when ``everyday`` and it has
        them."""
        return replace(self, text=self.everyday) if everyday and self.everyday else self


@dataclass(frozen=True)
class Competency:
    id: str
    name: str
    headline: str
    description: str


@dataclass(frozen=True)
class TimingRules:
    situation_task_budget_s: float
    action_share_target: float
    nominal_wpm: float


def questions(everyday: bool = False) -> list[Question]:
    """The question bank, each worded as asked (``Question.worded``)."""
    return [Question(q["id"], q["text"], q.get("everyday", "")).worded(everyday)
            for q in load_toml("questions.toml")["questions"]]


def question_terms(question_id: str, asked: str | None = None) -> tuple[str, ...]:
    """The key terms of a question: words an answer to it is likely to hold, for the
    recogniser to listen for. Its ``everyday_terms`` in questions.toml when ``asked`` (the
    words it was asked in) is not its ``text``, else its ``terms``. () for an unknown id."""
    for q in load_toml("questions.toml")["questions"]:
        if q["id"] == question_id:
            # Any words but the question's own text are a wording for any job: a session
            # saved before the everyday wording was last edited still reads as one.
            key = ("everyday_terms" if asked is not None and asked != q["text"]
                   and "everyday_terms" in q else "terms")
            return _term_list(q.get(key, []), f"questions.toml: question {question_id!r}")
    return ()


def rubric_keywords() -> tuple[str, ...]:
    """The competency's keywords in rubric.toml (``[competency] keywords``)."""
    return _term_list(load_toml("rubric.toml")["competency"].get("keywords", []),
                      "rubric.toml: [competency]")


def _term_list(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        raise ValueError(f"{where}: terms/keywords must be a list of words or phrases")
    return tuple(" ".join(t.split()) for t in value)


def competency() -> Competency:
    c = load_toml("questions.toml")["competency"]
    return Competency(c["id"], c["name"], c["headline"], c["description"].strip())


def get_question(question_id: str | None, rng: random.Random | None = None,
                 everyday: bool = False) -> Question:
    """The question with that id, or a random one when ``question_id`` is None; in
    everyday words when ``everyday`` (``Question.worded``)."""
    bank = questions(everyday)
    if question_id is None:
        return (rng or random).choice(bank)
    for q in bank:
        if q.id == question_id:
            return q
    known = ", ".join(q.id for q in bank)
    raise InputError(f"unknown question id {question_id!r} (known: {known})")


def timing_rules() -> TimingRules:
    t = load_toml("timing.toml")
    return TimingRules(float(t["situation_task_budget_s"]), float(t["action_share_target"]),
                       float(t["nominal_wpm"]))


@cache
def number_words(ambiguous: bool = False) -> frozenset[str]:
    """Numbers said in words (prompts/words.toml); with ``ambiguous``, only those that are
    numbers in some uses alone."""
    return frozenset(load_toml("words.toml")["numbers"]["ambiguous" if ambiguous else "words"])


@dataclass(frozen=True)
class PersonWords:
    """First-person words (prompts/words.toml)."""

    singular: frozenset[str]
    plural: frozenset[str]
    singular_subject: str
    plural_subject: str
    hedging_verbs: tuple[str, ...]
    step_openers: frozenset[str]
    carried_subjects: frozenset[str]
    carried_helpers: frozenset[str]


@cache
def person_words() -> PersonWords:
    d = load_toml("words.toml")["person"]
    adverbs = frozenset(d["step_adverbs"])
    return PersonWords(frozenset(d["singular"]), frozenset(d["plural"]), d["singular_subject"],
                       d["plural_subject"], tuple(d["hedging_verbs"]),
                       frozenset(d["step_openers"]) | adverbs, frozenset(d["carried_subjects"]),
                       frozenset(d["carried_helpers"]) | adverbs)
