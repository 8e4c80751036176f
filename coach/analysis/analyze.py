"""From words (transcribed or from text) to a full report."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from coach.analysis.checks import choose_follow_up, estimate_level, run_checks
from coach.analysis.delivery import delivery_report
from coach.analysis.feedback import make_feedback
from coach.analysis.report import (
    Assessment,
    FollowUp,
    Part,
    Report,
    Sentence,
    Source,
    SourceKind,
)
from coach.analysis.segment import compute_timing, part_spans, reply_sentences, segment
from coach.analysis.text import words_from_text
from coach.audio.pcm import check_readable, duration_s
from coach.errors import InputError, NoSpeechError
from coach.prompts import Question, timing_rules
from coach.speech.transcript import Transcriber, Transcript
from coach.words import Word, join_words


@dataclass(frozen=True)
class CoachingOptions:
    """Who the answer is judged for."""

    target_level: str | None = None
    """SDE1, SDE2, Senior or Principal; Senior and up flag single-team scope."""
    company: str | None = None
    """amazon, google, meta or microsoft: adds that company's emphasis to the advice."""
    personal_model: Path | None = None
    """The user's own STAR model, trained with their corrections (``coach relabel``);
    None: the shipped one."""


def build_report(words: list[Word], source: Source, question: Question | None,
                 estimated: bool, model: str | None = None,
                 coaching: CoachingOptions | None = None) -> Report:
    coaching = coaching or CoachingOptions()
    sentences = segment(words, tagger_path=coaching.personal_model)
    return report_from_sentences(words, sentences, source, question, estimated, model, coaching)


def report_from_sentences(words: list[Word], sentences: list[Sentence], source: Source,
                          question: Question | None, estimated: bool, model: str | None,
                          coaching: CoachingOptions) -> Report:
    """Everything after segmentation: timing, delivery, checks, level, follow-up, feedback."""
    spans = part_spans(sentences)
    timing = compute_timing(spans, timing_rules(), estimated, sentences) if spans else None
    report = Report(question=question, source=source, words=list(words), sentences=sentences,
                    parts=spans, timing=timing, model=model)
    if sentences:
        checks = run_checks(sentences, coaching.target_level)
        level = estimate_level(checks, sentences)
        chosen = choose_follow_up(checks)
        report = replace(
            report, delivery=delivery_report(list(words), sentences), checks=checks,
            assessment=Assessment(level.level, level.reason, coaching.target_level,
                                  coaching.company, level.could_be),
            follow_up=FollowUp(question=chosen[0], gap=chosen[1]) if chosen else None)
    return replace(report, feedback=make_feedback(report))


def relabel(report: Report, parts: dict[int, Part]) -> Report:
    """The report recomputed with the person's own parts for some sentences
    (``{sentence index: part}``): their word is final (confidence 1), and the report is
    marked as corrected. The follow-up already asked, and its judged reply, are kept."""
    bad = [i for i in parts if not 0 <= i < len(report.sentences)]
    if bad:
        raise InputError(f"no sentence {bad[0] + 1}: the answer has {len(report.sentences)}")
    sentences = [replace(s, part=parts[i], confidence=1.0, distribution=()) if i in parts else s
                 for i, s in enumerate(report.sentences)]
    a = report.assessment
    coaching = CoachingOptions(a.target_level if a else None, a.company if a else None)
    new = report_from_sentences(report.words, sentences, report.source, report.question,
                                report.timing.estimated if report.timing else False,
                                report.model, coaching)
    new = replace(new, corrected=True)
    if report.follow_up is not None and report.follow_up.reply is not None:
        new = replace(new, follow_up=report.follow_up)
        new = replace(new, feedback=make_feedback(new))
    return new


def judge_reply(report: Report, words: list[Word]) -> Report:
    """The report with the reply to its follow-up question judged: first whether it
    answers the question, then with the question's own red flag and signal."""
    from coach.analysis.feedback import judge_reply_class, reply_verdict

    if report.follow_up is None:
        return report
    sentences = reply_sentences(words)
    checks = run_checks(sentences, report.assessment.target_level if report.assessment
                        else None) if sentences else {}
    follow_up = replace(report.follow_up, reply=join_words(words), reply_words=tuple(words),
                        checks=checks)
    judgement, sure = judge_reply_class(follow_up)
    follow_up = replace(follow_up, judgement=judgement, judgement_sure=sure)
    report = replace(report, follow_up=replace(follow_up, verdict=reply_verdict(follow_up)))
    return replace(report, feedback=make_feedback(report))


MAX_TEXT_BYTES = 100_000
"""The largest text answer read: about 16,000 words, two hours of speech."""


def read_text(path: Path, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """A text answer: a regular UTF-8 file of at most ``max_bytes`` (devices, pipes and
    larger files are refused before they are read whole), holding at least one word
    (else NoSpeechError, as for a recording without speech)."""
    path = check_readable(path)
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path}: {size:,} bytes is too long for an answer "
                             f"(at most {max_bytes:,})")
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    if len(data) > max_bytes:  # grew while we looked
        raise InputError(f"{path}: too long for an answer (at most {max_bytes:,} bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text") from exc
    if not any(ch.isalnum() for ch in text):
        raise NoSpeechError(f"{path}: no words to analyse")
    return text


def analyze_text(text: str, question: Question | None = None, path: Path | None = None,
                 coaching: CoachingOptions | None = None) -> Report:
    """Report for an answer given as text; times are estimated at the nominal rate."""
    words = words_from_text(text, timing_rules().nominal_wpm)
    total = words[-1].end if words else 0.0
    source = Source(SourceKind.text, str(path) if path else None, round(total, 2))
    return build_report(words, source, question, estimated=True, coaching=coaching)


def analyze_samples(samples: np.ndarray, transcriber: Transcriber,
                    question: Question | None = None, path: Path | None = None,
                    coaching: CoachingOptions | None = None) -> tuple[Transcript, Report]:
    transcript = transcriber.transcribe(samples)
    source = Source(SourceKind.audio, str(path) if path else None, round(duration_s(samples), 2))
    report = build_report(list(transcript.words), source, question, estimated=False,
                          model=transcript.model, coaching=coaching)
    return transcript, report
