"""The HTML report in a real headless Chromium: the timeline's four parts, and clicking the
Action part moves the audio to the Action's start."""

import json
import shutil

import numpy as np
import pytest
import soundfile as sf
from conftest import invoke
from star_fixtures import FIXTURES, build

needs_browser = pytest.mark.skipif(not shutil.which("chromedriver"),
                                   reason="needs Debian's chromium and chromium-driver")


@pytest.fixture(scope="module")
def session_with_html(tmp_path_factory, transcriber):
    """A practice session stored and its page written, in this process, with the
    session's loaded model."""
    import os

    import coach.cli.app

    root = tmp_path_factory.mktemp("html")
    sessions = root / "sessions"
    answer = build(FIXTURES["balanced"])
    wav = root / "answer.wav"
    sf.write(wav, answer.audio, 16000)
    env = {"COACH_SESSIONS_DIR": str(sessions)}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(coach.cli.app, "make_transcriber", lambda model=None, vocabulary=(): transcriber)
        p = invoke("practice", "--answer", str(wav), "--no-speak", "--no-follow-up", "--json",
                   "-q", "fr-incident", env=env)
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    h = invoke("report", "last", "--html", env={**env, "COLUMNS": "1000"})  # one line
    assert h.returncode == 0, h.stderr
    page = h.stdout.strip()
    assert os.path.exists(page) and (os.stat(page).st_mode & 0o777) == 0o600
    return page, report


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--autoplay-policy=no-user-gesture-required"):
        opts.add_argument(arg)
    opts.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    yield driver
    driver.quit()


@needs_browser
@pytest.mark.slow
def test_timeline_shows_four_parts_and_click_seeks(session_with_html, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page, report = session_with_html
    browser.get("file://" + page)
    parts = browser.find_elements(By.CSS_SELECTOR, "#timeline .part")
    assert [p.get_attribute("data-part") for p in parts] == \
        ["situation", "task", "action", "result"]
    widths = [p.rect["width"] for p in parts]
    durations = [s["duration_s"] for s in report["parts"]]
    # Widths proportional to time (within a few pixels of rounding).
    scale = sum(widths) / sum(durations)
    assert all(abs(w - d * scale) < 4 for w, d in zip(widths, durations, strict=True))
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return document.getElementById('audio').readyState") >= 1)
    action = parts[2]
    action.click()
    action_start = next(s["start"] for s in report["parts"] if s["part"] == "action")
    current = browser.execute_script("return document.getElementById('audio').currentTime")
    assert abs(current - action_start) < 0.3
    # A check's evidence seeks too.
    evidence = browser.find_elements(By.CSS_SELECTOR, ".evidence")
    assert evidence
    evidence[0].click()
    start = float(evidence[0].get_attribute("data-start"))
    current = browser.execute_script("return document.getElementById('audio').currentTime")
    assert abs(current - start) < 0.3
    assert np.isfinite(current)


def test_fillers_and_long_pauses_are_marked_on_the_timeline():
    from coach.analysis.analyze import build_report
    from coach.analysis.report import Source, SourceKind
    from coach.sessions.html import render_html
    from coach.words import Word

    words = [Word(t, i * 0.4, i * 0.4 + 0.3) for i, t in enumerate(
        "Last year I broke checkout. My task was to um fix it.".split())]
    words += [Word("I", 9.0, 9.2), Word("rolled", 9.2, 9.5), Word("it", 9.5, 9.6),
              Word("back.", 9.6, 9.9)]
    report = build_report(words, Source(SourceKind.audio, None, 10.0), None, estimated=False)
    page = render_html(report, None)
    assert page.count("class=filler") == 1 and 'title="um at' in page
    assert page.count("class=pause") == 1
    assert "Pace <b>" in page and "1 pause over 2 s" in page


def test_a_typed_answer_is_shown_no_pace_or_pauses():
    # Its times are only its word count's: the page names its fillers and hedges, and no
    # pace, as the terminal and the written report do.
    from coach.analysis.analyze import analyze_text
    from coach.sessions.html import render_html

    report = analyze_text("So um we had this outage last year. I was on call. I uh restarted "
                          "the pods and rolled back my change. It was fixed within an hour.")
    assert not report.paced
    page = render_html(report, None)
    assert ("Typed answer: no pace or pauses to measure. 2 fillers; 0 &ldquo;maybe&rdquo; "
            "words") in page
    assert "words a minute" not in page and "over 2 s" not in page


def test_unsure_sentences_are_marked_and_stored_values_escaped():
    from dataclasses import replace

    from coach.analysis.analyze import analyze_text
    from coach.sessions.html import render_html

    report = analyze_text("So we had this outage last year. I was on call. I restarted the "
                          "pods and rolled back my change. It was fixed within an hour.")
    sentences = [replace(s, confidence=0.4 if i == 1 else 0.95)
                 for i, s in enumerate(report.sentences)]
    sentences[0] = replace(sentences[0], part='<script>x</script>')
    page = render_html(replace(report, sentences=sentences), None)
    assert page.count("data-unsure=1") == 1 and "<sup>?</sup>" in page
    assert "<script>x</script>" not in page


def test_checks_say_how_sure_they_are():
    """A flag or a "missing" the coach is not sure of is not stated as a fact on the page,
    as in the terminal: "? Possibly", and its own list of signals not surely missing."""
    from dataclasses import replace

    from coach.analysis.analyze import analyze_text
    from coach.sessions.html import render_html

    report = analyze_text("So we had this outage last year. I was on call. I restarted the "
                          "pods and rolled back my change. It was fixed within an hour.")
    checks = dict(report.checks)
    checks["blames_others"] = replace(checks["blames_others"], found=True, confidence=0.6)
    checks["team_only"] = replace(checks["team_only"], found=True, confidence=0.95)
    checks["names_tradeoff"] = replace(checks["names_tradeoff"], found=False, confidence=0.7)
    checks["root_cause_identified"] = replace(checks["root_cause_identified"], found=False,
                                              confidence=0.95)
    page = render_html(replace(report, checks=checks), None)
    assert "? Possibly: " + report_title("blames_others") in page
    assert "✘ " + report_title("team_only") in page
    assert "✘ " + report_title("blames_others") not in page
    sure, _, unsure = page.partition("Not sure they are missing")
    assert report_title("root_cause_identified") in sure.split("Missing signals:")[1]
    assert report_title("names_tradeoff") in unsure
    assert report_title("names_tradeoff") not in sure.split("Missing signals:")[1]
    # An unsure timing verdict shows its likely range, as the terminal does.
    from coach.analysis.segment import compute_timing, part_spans
    from coach.analysis.timing_ranges import RangeCalibration, Widening
    from coach.prompts import timing_rules

    long = [replace(s, start=s.start * 10, end=s.end * 10) for s in report.sentences]
    t = compute_timing(part_spans(long), timing_rules(), False, long,
                       RangeCalibration(Widening(1.0, 0.3), Widening(1.0, 0.3)))
    lo, hi = t.situation_task_range_s
    page = render_html(replace(report, sentences=long, parts=part_spans(long), timing=t), None)
    assert not t.situation_task_verdict_sure and f"likely {lo:.0f}-{hi:.0f} s" in page


def report_title(cid: str) -> str:
    from html import escape

    from coach.analysis.rubric import load_rubric

    return escape(load_rubric().checks[cid].title)


def test_counts_of_one_are_said_in_the_singular():
    from coach.analysis.analyze import analyze_text
    from coach.sessions.html import render_html

    report = analyze_text("So um the site went down while I was on call. I rolled back my "
                          "change and maybe that was enough. It was fixed within an hour.")
    page = render_html(report, None)
    assert "1 filler; 1 &ldquo;maybe&rdquo; word (" in page
    assert "1 fillers" not in page and "1 &ldquo;maybe&rdquo; words" not in page
    written = report.feedback.written
    assert "1 filler," in written and '1 "maybe" word,' in written
