"""A self-contained HTML page for one session: timeline, transcript, audio, checks."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from coach.analysis.delivery import MAYBE_WORD, maybe_words
from coach.analysis.report import (
    NOT_SURE_MISSING,
    Check,
    Delivery,
    DeliveryReport,
    PartSpan,
    Report,
    Sentence,
    Timing,
    missing_signals,
)
from coach.analysis.rubric import Rubric, load_rubric
from coach.words import counted

COLOURS = {"situation": "#3b82f6", "task": "#a855f7", "action": "#22c55e", "result": "#f59e0b"}

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.4em} h2{font-size:1.1em;margin-top:2em}
.timeline{position:relative;display:flex;height:48px;border-radius:6px;overflow:visible;
  margin:2.5em 0 3em}
.part{color:#fff;font-weight:600;display:flex;align-items:center;justify-content:center;
  cursor:pointer;overflow:hidden;white-space:nowrap}
.mark{position:absolute;top:-1.6em;bottom:-1.6em;border-left:2px dashed #dc2626;
  font-size:.75em;color:#dc2626;padding-left:4px;white-space:nowrap}
.mark.share{border-color:#111;color:#111}
.mark.share span{position:absolute;bottom:0}
.filler{position:absolute;top:-1.1em;color:#b91c1c;cursor:pointer;font-size:.9em;
  transform:translateX(-50%)}
.pause{position:absolute;bottom:0;height:8px;background:repeating-linear-gradient(45deg,#111,
  #111 3px,#fff 3px,#fff 6px);opacity:.7;cursor:pointer}
.sentence{cursor:pointer;border-radius:3px;padding:0 2px}
.sentence:hover,.evidence:hover{background:#eee}
.time{color:#888;font-size:.8em;margin-right:.4em}
.flag{color:#b91c1c} .flag.unsure{color:#b45309} .signal{color:#15803d}
.evidence{cursor:pointer;font-style:italic;display:block;margin-left:1.5em}
.advice{margin-left:1.5em;color:#1d4ed8}
audio{width:100%}
pre{white-space:pre-wrap;background:#f6f6f6;padding:1em;border-radius:6px}
"""

_SCRIPT = """
const audio = document.getElementById('audio');
document.querySelectorAll('[data-start]').forEach(el => el.addEventListener('click', () => {
  audio.currentTime = parseFloat(el.dataset.start);
  audio.play().catch(() => {});
}));
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _curly(text: str) -> str:
    """``text`` escaped, its quoted words in curly quotes ('2 "maybe" words')."""
    return re.sub(r'"([^"]*)"', r"&ldquo;\1&rdquo;", html.escape(text, quote=False))


def render_html(report: Report, audio_path: Path | None, title: str = "coach session") -> str:
    """The page as a string; the recording is embedded so the file stands alone."""
    rubric = load_rubric()
    t = report.timing
    out = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{_e(title)}"
           f"</title><style>{_STYLE}</style></head><body>", f"<h1>{_e(title)}</h1>"]
    if report.question:
        out.append(f"<p><b>Question:</b> {_e(report.question.text)}</p>")
    out.append(_audio(audio_path))
    if t and report.parts:
        out += _timeline(report.parts, t, report.delivery)
    if report.delivery:
        out.append(_delivery(report.delivery, report.paced))
    out += _transcript(report.sentences)
    if report.checks:
        out += _checks(report.checks, rubric)
    out.append(f"<h2>Feedback</h2><p>{_e(report.feedback.spoken)}</p>"
               f"<pre>{_e(report.feedback.written)}</pre>")
    out.append(f"<script>{_SCRIPT}</script></body></html>")
    return "\n".join(out)


def _audio(audio_path: Path | None) -> str:
    """The player with the recording embedded, or a note that there is none."""
    if audio_path and audio_path.is_file() and not audio_path.is_symlink():
        data = base64.b64encode(audio_path.read_bytes()).decode()
        return (f'<audio id=audio controls preload=auto src="data:audio/wav;base64,{data}">'
                "</audio>")
    return '<audio id=audio></audio><p><i>(recording not available)</i></p>'


def _timeline(parts: list[PartSpan], t: Timing, delivery: DeliveryReport | None) -> list[str]:
    """The coloured STAR bar with fillers, pauses and the budget marks, and its summary."""
    t0, total = parts[0].start, max(t.total_s, 1e-6)
    out = ['<h2>Timeline</h2><div class=timeline id=timeline>']
    out += _part_blocks(parts, total)
    if delivery:
        out += _delivery_marks(delivery.overall, t0, total)
    out += _budget_marks(t, total)
    st_range = share_range = ""
    if t.situation_task_range_s and not t.situation_task_verdict_sure:
        lo, hi = t.situation_task_range_s
        st_range = (f" (not sure: likely {lo:.0f}-{hi:.0f} s"
                    + (", probably over)" if t.situation_task_probably_over else ")"))
    if t.action_share_range and not t.action_share_verdict_sure:
        lo, hi = t.action_share_range
        share_range = f", not sure: likely {lo * 100:.0f}-{hi * 100:.0f}%"
    out.append(f"<p>Situation + Task: <b>{t.situation_task_s:.0f} s</b> of "
               f"{t.situation_task_budget_s:.0f} s{st_range}. Action: "
               f"<b>{t.action_share * 100:.0f}%</b> (target {t.action_share_target * 100:.0f}%"
               f"{share_range}). Total {t.total_s:.0f} s"
               f"{' (estimated)' if t.estimated else ''}; the answer starts {t0:.1f} s "
               "into the recording.</p>")
    return out


def _part_blocks(parts: list[PartSpan], total: float) -> list[str]:
    """One block per STAR part, as wide as its share of the answer."""
    out = []
    for span in parts:
        width = (span.end - span.start) / total * 100
        part = _e(str(span.part))
        out.append(f'<div class=part data-part="{part}" data-start="{span.start:.2f}" '
                   f'style="width:{width:.3f}%;background:{COLOURS[span.part]}" '
                   f'title="{part} {span.duration_s:.1f} s">'
                   f'{part.capitalize()} {span.duration_s:.0f}s</div>')
    return out


def _delivery_marks(overall: Delivery, t0: float, total: float) -> list[str]:
    """Filler arrows above the bar and hatched long pauses below it."""
    out = []
    for m in overall.fillers:
        left = (m.start - t0) / total * 100
        out.append(f'<div class=filler data-start="{m.start:.2f}" title="{_e(m.text)} '
                   f'at {m.start:.1f} s" style="left:{left:.3f}%">▾</div>')
    for m in overall.long_pauses:
        left = (m.start - t0) / total * 100
        width = (m.end - m.start) / total * 100
        out.append(f'<div class=pause data-start="{m.start:.2f}" title="pause '
                   f'{_e(m.text)}" style="left:{left:.3f}%;width:{width:.3f}%"></div>')
    return out


def _budget_marks(t: Timing, total: float) -> list[str]:
    """The Situation + Task budget line and where Action should start; closes the bar."""
    mark = min(t.situation_task_budget_s / total * 100, 100)
    share_at = (1 - t.action_share_target) * 100
    return [f'<div class=mark style="left:{mark:.3f}%">'
            f'{t.situation_task_budget_s:.0f} s budget</div>',
            f'<div class="mark share" style="left:{share_at:.3f}%"><span>'
            f'Action should start by here ({t.action_share_target * 100:.0f}%)'
            '</span></div></div>']


def _delivery(delivery: DeliveryReport, paced: bool) -> str:
    """Pace, fillers, pauses and hedges in one line (a typed answer: no pace or pauses)."""
    o = delivery.overall
    lo, hi = delivery.wpm_range
    maybe = (f"{_curly(counted(len(o.hedges), MAYBE_WORD))} "
             f"({_e(maybe_words(o))}{'' if o.hedges else '...'}).")
    fillers = counted(len(o.fillers), "filler")
    if not paced:
        return f"<p>Typed answer: no pace or pauses to measure. {fillers}; {maybe}</p>"
    return (f"<p>Pace <b>{o.wpm:.0f} words a minute</b> (target {lo:.0f}-{hi:.0f}); "
            f"<span style='color:#b91c1c'>▾</span> {fillers}; "
            f"{counted(len(o.long_pauses), 'pause')} over 2 s (hatched); {maybe}</p>")


def _transcript(sentences: list[Sentence]) -> list[str]:
    """The sentences coloured by part; unsure ones carry a question mark."""
    out = ["<h2>Transcript</h2><p id=transcript>"]
    for s in sentences:
        colour = COLOURS.get(s.part or "", "#444")
        unsure = (f' title="not sure: {s.confidence * 100:.0f}% {_e(s.part or "")}"'
                  ' data-unsure=1' if s.uncertain else "")
        out.append(f'<span class=sentence data-start="{s.start:.2f}" data-part="{_e(s.part or "")}"'
                   f'{unsure} style="color:{colour}"><span class=time>{s.start:.0f}s</span>'
                   f"{_e(s.text)}{'<sup>?</sup>' if s.uncertain else ''}</span> ")
    out.append("</p>")
    return out


def _checks(checks: dict[str, Check], rubric: Rubric) -> list[str]:
    """Red flags and signals found, with evidence, then the signals missing."""
    out = ["<h2>Checks</h2><ul>"]
    for cid, c in checks.items():
        if c.kind == "signal" and not c.found:
            continue
        if c.kind == "red_flag" and not c.found:
            continue
        out += _check_item(cid, c, rubric)
    missing = [rubric.checks[cid].title for cid in missing_signals(checks, sure=True)]
    unsure = [rubric.checks[cid].title for cid in missing_signals(checks, sure=False)]
    out.append("</ul>")
    if missing:
        out.append(f"<p><b>Missing signals:</b> {_e(', '.join(missing))}</p>")
    if unsure:
        heading, hint = NOT_SURE_MISSING
        out.append(f"<p><b>{heading}</b> ({hint}): {_e(', '.join(unsure))}</p>")
    return out


def _check_item(cid: str, c: Check, rubric: Rubric) -> list[str]:
    """One found check: its verdict, the evidence (click to play) and, for a flag, advice."""
    if c.kind == "red_flag":
        verdict, why, advice = rubric.flag_shown(cid, c)
        cls = "flag" if c.sure else "'flag unsure'"
    else:
        title = rubric.checks[cid].title
        verdict = f"✔ {title}" if c.sure else f"✔ {title} (probably)"
        why, advice, cls = c.why, c.advice, "signal"
    out = [f'<li class={cls} data-check="{_e(cid)}"><b>{_e(verdict)}</b>: {_e(why)}']
    for e in c.quotes:
        out.append(f'<span class=evidence data-start="{e.start:.2f}">'
                   f"[{e.start:.0f}s] “{_e(e.text)}”</span>")
    if c.kind == "red_flag":
        out.append(f"<div class=advice>Stronger: {_e(advice)}</div>")
    out.append("</li>")
    return out
