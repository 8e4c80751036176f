"""From words (transcribed or from text) to a full report."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from coach.audio import check_readable, duration_s
from coach.errors import InputError
from coach.feedback import make_feedback
from coach.prompts import Question, timing_rules
from coach.report import Report, Source
from coach.segment import compute_timing, part_spans, segment
from coach.text import words_from_text
from coach.transcribe import Transcriber, Transcript, Word


def build_report(words: list[Word], source: Source, question: Question | None,
                 estimated: bool, model: str | None = None) -> Report:
    sentences = segment(words)
    spans = part_spans(sentences)
    timing = compute_timing(spans, timing_rules(), estimated) if spans else None
    report = Report(question=question, source=source, words=list(words), sentences=sentences,
                    parts=spans, timing=timing, model=model)
    report.feedback = make_feedback(report)
    return report


def read_text(path: Path) -> str:
    path = check_readable(path)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc


def analyze_text(text: str, question: Question | None = None, path: Path | None = None
                 ) -> Report:
    """Report for an answer given as text; times are estimated at the nominal rate."""
    words = words_from_text(text, timing_rules().nominal_wpm)
    total = words[-1].end if words else 0.0
    source = Source("text", str(path) if path else None, round(total, 2))
    return build_report(words, source, question, estimated=True)


def analyze_samples(samples: np.ndarray, transcriber: Transcriber,
                    question: Question | None = None, path: Path | None = None
                    ) -> tuple[Transcript, Report]:
    transcript = transcriber.transcribe(samples)
    source = Source("audio", str(path) if path else None, round(duration_s(samples), 2))
    report = build_report(list(transcript.words), source, question, estimated=False,
                          model=transcript.model)
    return transcript, report
