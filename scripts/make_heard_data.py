"""Make the labelled STAR answers "as heard": spoken, recognised, and relabelled.

    .venv/bin/python scripts/make_heard_data.py SRC.txt [SRC2.txt ...] --out DIR
        [--limit N] [--every K]

Each answer of each source file (the tests/data/star/ format) is spoken by espeak-ng in
one of several voices at 140-185 wpm, every third one with pink noise mixed in at 20 dB
SNR, and transcribed by the app's recogniser (tiny.en, the app's default options). The
gold parts are carried over onto the recognised words by aligning the two
(``coach.eval.heard``; ``scripts/relabel_heard.py`` carries later corrections of the
written labels the same way).

DIR/<stem>.txt is written for each source, in the same format, one answer per source
answer in order (an answer nothing was heard in is left out): id "<id>-heard", the same
question and checks, style "<style> heard <voice> <clean|noise20>", and the recognised
words as Whisper wrote them, a new line where the part changes or a sentence ends.
--every K keeps every K-th answer of a file (from the first), --limit N at most N of them.
The output is the same for the same inputs and options: the voice and the noise follow
the answer's place among those kept, the rate and the noise samples are seeded by its id.
Progress goes to stderr. A minute-and-a-half answer takes 10-30 s on a two-core laptop
(noisy ones the longest), so a whole batch takes a while.
"""

import argparse
import difflib
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.analysis.labelled import PART_LETTER  # noqa: E402
from coach.analysis.report import Part  # noqa: E402
from coach.audio.pcm import SAMPLE_RATE, resample  # noqa: E402
from coach.audio.vad import classify_frames  # noqa: E402
from coach.errors import NoSpeechError  # noqa: E402
from coach.eval.heard import part_lines, tokens, transfer_labels  # noqa: E402
from coach.eval.noise import mix_at_snr_db, pink_noise  # noqa: E402
from coach.eval.segmenter import LabelledAnswer, load_answers  # noqa: E402
from coach.speech.whisper import TranscribeOptions, WhisperTranscriber  # noqa: E402
from coach.words import Word  # noqa: E402

VOICES = ("en-us+m3", "en-gb+f3", "en-us+f2", "en-gb-x-rp+m1", "en-gb-scotland+m2",
          "en-us+f4", "en-029+m3")
RATES_WPM = (140, 185)
NOISE_EVERY = 3
SNR_DB = 20.0


def check_voices() -> None:
    """espeak-ng quietly falls back to its default for a voice it lacks: fail instead."""
    def listed(kind: str) -> str:
        return subprocess.run(["espeak-ng", f"--voices={kind}"], capture_output=True,
                              text=True, check=True).stdout
    languages = {line.split()[1] for line in listed("en").splitlines()[1:] if line.split()}
    variants = {line.split()[4].removeprefix("!v/")
                for line in listed("variant").splitlines()[1:] if len(line.split()) > 4}
    for voice in VOICES:
        lang, _, variant = voice.partition("+")
        if lang not in languages or (variant and variant not in variants):
            sys.exit(f"espeak-ng has no voice {voice}: see espeak-ng --voices=en")


def speak(text: str, voice: str, rate: int, tmp: Path) -> np.ndarray:
    """espeak-ng's rendering of ``text`` as 16 kHz mono int16."""
    import soundfile

    out = tmp / "speech.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(out), "--stdin"],
                   input=text, text=True, check=True, capture_output=True)
    data, rate_hz = soundfile.read(out, dtype="int16", always_2d=True)
    return resample(data.mean(axis=1).astype(np.int16), rate_hz, SAMPLE_RATE)


def add_noise(samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Pink noise at SNR_DB below the power of the voiced frames (the whole signal when
    the VAD finds none), over the whole recording, pauses included."""
    voiced = np.array(classify_frames(samples), dtype=bool)
    return mix_at_snr_db(samples, pink_noise(samples.size, rng), SNR_DB, voiced)


def raw_checks(path: Path) -> list[str | None]:
    """The ``checks:`` value of each answer block as written (order kept), None without."""
    out: list[str | None] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("## "):
            out.append(None)
        elif line.startswith("checks:") and out:
            out[-1] = line.partition(":")[2].strip()
    return out


def format_answer(answer: LabelledAnswer, checks: str | None, voice: str, condition: str,
                  lines: tuple[tuple[Part, str], ...]) -> str:
    out = [f"## {answer.id}-heard", f"question: {answer.question}",
           "style: " + " ".join(x for x in (answer.style, "heard", voice, condition) if x)]
    if checks is not None:
        out.append(f"checks: {checks}".rstrip())
    out += [f"{PART_LETTER[part]}: {text}" for part, text in lines]
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sources", nargs="+", type=Path, metavar="SRC.txt")
    ap.add_argument("--out", type=Path, required=True, metavar="DIR")
    ap.add_argument("--limit", type=int, metavar="N", help="at most N answers per file")
    ap.add_argument("--every", type=int, default=1, metavar="K",
                    help="keep every K-th answer of a file, from the first (default: all)")
    args = ap.parse_args()
    if args.every < 1 or (args.limit is not None and args.limit < 0):
        ap.error("--every must be at least 1 and --limit not negative")
    check_voices()
    args.out.mkdir(parents=True, exist_ok=True)
    transcriber = WhisperTranscriber(TranscribeOptions())
    transcriber.load()
    summary: list[str] = []
    with tempfile.TemporaryDirectory(prefix="heard-") as tmp_dir:
        tmp = Path(tmp_dir)
        for src in args.sources:
            answers = load_answers(src)
            checks = raw_checks(src)
            chosen = [(a, c) for a, c in zip(answers, checks, strict=True)
                      if a.lines][::args.every][:args.limit]
            n_written, audio_s = 0, 0.0
            out_path = args.out / f"{src.stem}.txt"
            with out_path.open("w", encoding="utf-8") as out:
                for n, (answer, answer_checks) in enumerate(chosen):
                    seed = zlib.crc32(f"{src.stem}/{answer.id}".encode())
                    rng = np.random.default_rng(seed)
                    voice = VOICES[(n + zlib.crc32(src.stem.encode())) % len(VOICES)]
                    rate = int(rng.integers(RATES_WPM[0], RATES_WPM[1] + 1))
                    noisy = n % NOISE_EVERY == NOISE_EVERY - 1
                    condition = f"noise{SNR_DB:.0f}" if noisy else "clean"
                    t0 = time.perf_counter()
                    samples = speak(answer.text, voice, rate, tmp)
                    if noisy:
                        samples = add_noise(samples, rng)
                    seconds = samples.size / SAMPLE_RATE
                    try:
                        heard: tuple[Word, ...] = transcriber.transcribe(samples).words
                    except NoSpeechError as exc:
                        print(f"{answer.id}: skipped, {exc}", file=sys.stderr)
                        continue
                    words = [" ".join(w.text.split()) for w in heard]
                    words = [w for w in words if w]
                    source = answer.text.split()
                    labels = transfer_labels(source, answer.word_labels(), words)
                    same = difflib.SequenceMatcher(
                        None, [t for w in source for t in tokens(w)],
                        [t for w in words for t in tokens(w)], autojunk=False).ratio()
                    if n_written:
                        out.write("\n")
                    out.write(format_answer(answer, answer_checks, voice, condition,
                                            part_lines(words, labels)))
                    out.flush()
                    n_written += 1
                    audio_s += seconds
                    print(f"{answer.id}: {seconds:5.1f} s audio, {voice} {rate} wpm "
                          f"{condition}, {len(words)}/{len(source)} words, token match "
                          f"{same * 100:3.0f}%, {time.perf_counter() - t0:4.1f} s",
                          file=sys.stderr)
            summary.append(f"{src.stem}: {n_written} answers, {audio_s:.0f} s of audio "
                           f"-> {out_path}")
    for line in summary:
        print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
