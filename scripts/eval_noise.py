"""Recognition in noisy rooms: word error rate per kind and level of background noise.

    .venv/bin/python scripts/eval_noise.py

Four everyday answers (15-25 s each) are spoken by espeak-ng in four voices and
transcribed by the app's recogniser (tiny.en, default options) clean and with noise mixed
in (coach/eval/noise.py): pink and brown at 20, 10 and 5 dB SNR, babble (five other
espeak-ng voices talking about other things) at 10 dB, and keyboard clicks at 10 dB (each
key's click about as loud as the loudest syllable). The SNR is against the power of the
voiced part of the speech. Prints the word error rate per condition over all four answers
(and per answer), how many answers were lost (no words, or an exception), and the slowest
transcription; then whether noise alone (each kind at its loudest level above, and
silence) gave any words. The speech and the noise are the same on every run; Whisper's
fallback decoding samples at random, so now and then a figure moves by a word. Takes two
to four minutes on a two-core laptop; progress goes to stderr.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jiwer  # noqa: E402
from make_heard_data import speak  # noqa: E402  (scripts/ is on the path of a script)

from coach.errors import NoSpeechError  # noqa: E402
from coach.eval.noise import (  # noqa: E402
    babble_noise,
    brown_noise,
    keyboard_click_noise,
    mix_at_snr_db,
    noise_at_snr_db,
    pink_noise,
    to_int16,
)
from coach.speech.whisper import TranscribeOptions, WhisperTranscriber  # noqa: E402

RATE_WPM = 160
SAMPLE_RATE_HZ = 16_000

ANSWERS = [
    ("en-us+m3",
     "Last winter our team had to move the whole office to a new building in two weeks. "
     "I made a list of every desk, printer and cable, and I asked each person to pack their "
     "own things by Thursday. On the weekend four of us carried the boxes and set up the "
     "network. On Monday morning everybody could log in, and we only lost half a day."),
    ("en-gb+f3",
     "A customer called me because her order was three days late and she needed it for a "
     "wedding. I checked the warehouse system and saw that the parcel was stuck at the "
     "depot. I phoned the driver myself, and he agreed to drop it off that evening. She "
     "wrote to us the next week to say thank you, and she has ordered from us twice since."),
    ("en-gb-scotland+m2",
     "When I joined the shop, the stock room was a mess and nobody could find anything. "
     "I suggested that we sort the shelves by size and put a label on every box. My manager "
     "liked the idea, so I spent two quiet afternoons on it with a colleague. After that, "
     "finding an item took a minute instead of ten, and new staff learned the room quickly."),
    ("en-us+f4",
     "In my last job I noticed that our weekly report took most of a Friday to put "
     "together by hand. I wrote a small spreadsheet that pulled the numbers in on its own. "
     "I showed it to my team lead, and we tested it side by side for a month. Now the "
     "report takes twenty minutes, and we use the free time to call our biggest clients."),
]

# Other people in the room, talking about other things.
BABBLE = [
    ("en-us+f2", "Did you see the match last night? I could not believe that second goal, "
                 "the keeper never even moved. We should get tickets for the next one."),
    ("en-gb-x-rp+m1", "I think the soup needs more salt, and maybe a little pepper too. "
                      "Pass me the big spoon, would you, and turn the oven down a bit."),
    ("en-029+m3", "The train was late again this morning, so I walked from the station "
                  "in the rain. My shoes are still wet and I have a meeting at three."),
    ("en-us+m1", "We are thinking of going to the coast in August, if the weather holds. "
                 "My sister has a small flat there, right above the bakery."),
    ("en-gb+f4", "Have you tried that new place on the corner? The coffee is fine but "
                 "the cakes are huge, and they let you sit there for hours."),
]

CONDITIONS: list[tuple[str, str, float]] = [
    ("pink 20 dB", "pink", 20.0), ("pink 10 dB", "pink", 10.0), ("pink 5 dB", "pink", 5.0),
    ("brown 20 dB", "brown", 20.0), ("brown 10 dB", "brown", 10.0),
    ("brown 5 dB", "brown", 5.0),
    ("babble 10 dB", "babble", 10.0),
    ("keyboard 10 dB", "keyboard", 10.0),
]


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9' ]+", " ", s.lower().replace("-", " "))).strip()


def make_noise(kind: str, n_samples: int, rng: np.random.Generator,
               talkers: list[np.ndarray]) -> np.ndarray:
    if kind == "pink":
        return pink_noise(n_samples, rng)
    if kind == "brown":
        return brown_noise(n_samples, rng)
    if kind == "babble":
        return babble_noise(talkers, n_samples, rng)
    if kind == "keyboard":
        return keyboard_click_noise(n_samples, rng)
    raise ValueError(kind)


def run(transcriber: WhisperTranscriber, samples: np.ndarray) -> tuple[str | None, float]:
    """(text, seconds taken); text None when the answer was lost, with the reason on
    stderr. Any exception counts as a loss (a RecursionError most of all)."""
    t0 = time.perf_counter()
    try:
        text: str | None = transcriber.transcribe(samples).text
    except NoSpeechError as exc:
        print(f"    lost: {exc}", file=sys.stderr)
        text = None
    except Exception as exc:  # every crash is a figure here
        print(f"    CRASH: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        text = None
    return text, time.perf_counter() - t0


def main() -> None:
    transcriber = WhisperTranscriber(TranscribeOptions())
    transcriber.load()
    with tempfile.TemporaryDirectory(prefix="noise-") as tmp_dir:
        tmp = Path(tmp_dir)
        pad = np.zeros(SAMPLE_RATE_HZ // 2, np.int16)
        clean = [np.concatenate([pad, speak(text, voice, RATE_WPM, tmp), pad, pad])
                 for voice, text in ANSWERS]
        talkers = [speak(text, voice, RATE_WPM, tmp) for voice, text in BABBLE]
    refs = [norm(text) for _, text in ANSWERS]
    print(f"{len(clean)} answers, {sum(c.size for c in clean) / SAMPLE_RATE_HZ:.0f} s of "
          f"speech, {sum(len(r.split()) for r in refs)} words", file=sys.stderr)

    rows: list[tuple[str, list[str | None], float]] = []

    def measure(name: str, audios: list[np.ndarray]) -> None:
        print(name, file=sys.stderr)
        texts, slowest = [], 0.0
        for audio in audios:
            text, took = run(transcriber, audio)
            texts.append(text)
            slowest = max(slowest, took / (audio.size / SAMPLE_RATE_HZ))
        rows.append((name, texts, slowest))

    measure("clean", clean)
    for name, kind, snr_db in CONDITIONS:
        noisy = []
        for i, speech in enumerate(clean):
            rng = np.random.default_rng(zlib.crc32(f"{name}/{i}".encode()))
            noisy.append(mix_at_snr_db(speech, make_noise(kind, speech.size, rng, talkers),
                                       snr_db))
        measure(name, noisy)

    print(f"{'condition':16}{'WER':>7}  {'per answer':27}{'lost':>5}{'slowest (x real time)':>23}")
    for name, texts, slowest in rows:
        hyps = [norm(t) if t is not None else "" for t in texts]
        per = " ".join(f"{jiwer.wer(r, h) * 100:5.1f}" for r, h in zip(refs, hyps, strict=True))
        lost = sum(t is None for t in texts)
        print(f"{name:16}{jiwer.wer(refs, hyps) * 100:6.1f}%  {per:27}{lost:>5}"
              f"{slowest:>23.2f}")

    print()
    print("noise alone (as loud as in its loudest condition), per answer's length and level:")
    loudest: dict[str, float] = {}
    for _, kind, snr_db in CONDITIONS:
        loudest[kind] = min(snr_db, loudest.get(kind, snr_db))
    for kind, snr_db in [*loudest.items(), ("silence", 0.0)]:
        print(f"{kind} alone", file=sys.stderr)
        heard = []
        for i, speech in enumerate(clean):
            if kind == "silence":
                audio = np.zeros_like(speech)
            else:
                rng = np.random.default_rng(zlib.crc32(f"alone {kind}/{i}".encode()))
                audio = to_int16(noise_at_snr_db(
                    speech, make_noise(kind, speech.size, rng, talkers), snr_db))
            text, _ = run(transcriber, audio)
            heard.append(text)
        words = [t for t in heard if t is not None]
        level = "" if kind == "silence" else f" at {snr_db:g} dB"
        verdict = "no words" if not words else f"WORDS in {len(words)}: {words!r}"
        print(f"  {kind + level:18} {verdict}")


if __name__ == "__main__":
    main()
