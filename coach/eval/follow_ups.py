"""Judging replies to follow-up questions, measured on reworded seed replies; and training
the learned reply judge on them."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from coach.analysis.analyze import analyze_text, judge_reply
from coach.analysis.checks import run_checks
from coach.analysis.report import FollowUp
from coach.analysis.rubric import load_rubric
from coach.analysis.segment import reply_sentences
from coach.analysis.text import words_from_text

GAPS = {1: "escalates_and_waits", 2: "proactive_communication", 3: "concrete_prevention",
        4: "denies_change", 5: "shows_recovery", 6: "team_only",
        7: "quantified_impact"}
"""Follow-up number in the data -> the check whose gap the question probes."""
_STORY = ("My config change broke checkout for about twenty minutes. I noticed the errors, "
          "rolled it back and checkout recovered.")


@dataclass(frozen=True)
class Rewording:
    id: str
    follow_up: int
    expect: str
    """weak | strong | offtopic"""
    flag: str | None
    signals: tuple[str, ...]
    reply: str
    batch: str = ""


TEAM_WRITTEN = "follow_up_team_written.txt"
"""Replies the team wrote for training only: never scored (``team_replies``)."""


def team_replies(data_dir: Path) -> list[Rewording]:
    """The team's own replies in ``data_dir`` (training only), or none."""
    path = data_dir / TEAM_WRITTEN
    return load_rewordings(path) if path.is_file() else []


def load_rewordings(path: Path) -> list[Rewording]:
    out: list[dict[str, str]] = []
    cur: dict[str, str] | None = None
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("# "):  # a comment
            continue
        if line.startswith("## "):
            cur = {"id": line[3:].strip()}
            out.append(cur)
        elif line and cur is not None:
            key, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"{path}:{n}: cannot parse {line!r}")
            cur[key.strip()] = value.strip()
    return [Rewording(e["id"], int(e["follow_up"]), e["expect"],
                      None if e["flag"] == "-" else e["flag"],
                      tuple(s for s in e["signals"].split() if s != "-"), e["reply"], path.stem)
            for e in out]


@dataclass(frozen=True)
class Judged:
    entry: Rewording
    judgement: str
    verdict: str
    sure: bool = True
    """False: the coach said it was not sure (the judgement is still its best guess)."""

    @property
    def right(self) -> bool:
        return self.judgement == self.entry.expect


def judge(entry: Rewording) -> Judged:
    gap = GAPS[entry.follow_up]
    rule = load_rubric().follow_up_for(gap)
    assert rule is not None
    report = replace(analyze_text(_STORY), follow_up=FollowUp(rule.question, gap))
    f = judge_reply(report, words_from_text(entry.reply)).follow_up
    assert f is not None
    return Judged(entry, f.judgement, f.verdict, f.judgement_sure)


def judge_all(entries: list[Rewording]) -> list[Judged]:
    return [judge(e) for e in entries]


@dataclass(frozen=True)
class ReplyTraining:
    """How the reply judge is trained (defaults chosen by leave-one-file-out CV)."""

    c1: float = 0.05
    """L1 penalty: drops features that do not help."""
    c2: float = 0.5
    """L2 penalty: keeps the weights small, so no single word decides."""
    with_words: bool = True
    """Also the reply's words and word pairs, as such and tied to the question's topic."""
    max_iterations: int = 300


def training_rows(entries: list[Rewording], options: ReplyTraining = ReplyTraining()
                  ) -> list[tuple[dict[str, float], str]]:
    """The reply judge's features (rules run on the reply) and the expected class."""
    from coach.analysis.reply_features import reply_features

    rubric = load_rubric()
    rows = []
    for e in entries:
        rule = rubric.follow_up_for(GAPS[e.follow_up])
        assert rule is not None
        checks = run_checks(reply_sentences(words_from_text(e.reply)))
        found = {cid for cid, c in checks.items() if c.found}
        rows.append((reply_features(rule, e.reply, found, options.with_words), e.expect))
    return rows


def train_reply_model(entries: list[Rewording], path: Path,
                      options: ReplyTraining = ReplyTraining()) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for f, label in training_rows(entries, options):
        trainer.append([f], [label])
    trainer.set_params({"c1": options.c1, "c2": options.c2,
                        "max_iterations": options.max_iterations})
    trainer.train(str(path))


def cross_validate(entries: list[Rewording], options: ReplyTraining = ReplyTraining(),
                   extra: list[Rewording] | None = None) -> dict[str, list[Judged]]:
    """Leave one file (one writer's batch) out; judged through the whole pipeline.
    ``extra``: replies used for training only, never judged (the team's own)."""
    from coach.analysis import reply_model

    out = {}
    for batch in sorted({e.batch for e in entries}):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / reply_model.MODEL_NAME
            train_reply_model([e for e in entries if e.batch != batch] + (extra or []), path,
                              options)
            reply_model.MODEL_PATH_OVERRIDE = path
            reply_model.reply_model.cache_clear()
            try:
                out[batch] = judge_all([e for e in entries if e.batch == batch])
            finally:
                reply_model.MODEL_PATH_OVERRIDE = None
                reply_model.reply_model.cache_clear()
    return out
