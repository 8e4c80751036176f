"""Real tiny.en on synthesized speech: accuracy, silence, noise, and no network."""

import socket
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from conftest import DEVICE_ANSWER, pause, say, wer

from coach.errors import ModelError, NoSpeechError
from coach.eval.noise import (
    babble_noise,
    brown_noise,
    keyboard_click_noise,
    mix_at_snr_db,
    noise_at_snr_db,
    pink_noise,
    to_int16,
)
from coach.speech.transcript import Transcript
from coach.speech.whisper import TranscribeOptions, WhisperTranscriber
from coach.words import Word

pytestmark = pytest.mark.slow  # the real Whisper model throughout

TEXT = ("Last spring I pushed a database migration that locked the orders table. "
        "Checkout failed for twenty minutes. I rolled it back and wrote a runbook.")


def test_transcribes_with_word_timestamps(transcriber):
    audio = np.concatenate([pause(0.5), say(TEXT), pause(1.0)])
    t = transcriber.transcribe(audio)
    assert wer(TEXT, t.text) <= 0.15
    starts = [w.start for w in t.words]
    assert starts == sorted(starts)
    assert all(w.end >= w.start and 0 <= w.probability <= 1 for w in t.words)
    # Speech starts at 0.5 s (plus the voice's own lead-in); word starts are snapped to voicing.
    assert 0.45 < t.words[0].start < 0.8
    assert t.words[-1].end <= audio.size / 16000 + 0.05


def test_silence_is_no_answer_not_thank_you(transcriber):
    with pytest.raises(NoSpeechError):
        transcriber.transcribe(pause(10))


def test_noise_is_no_answer(transcriber):
    rng = np.random.default_rng(7)
    noise = (rng.normal(0, 300, 16000 * 8)).astype(np.int16)
    with pytest.raises(NoSpeechError):
        transcriber.transcribe(noise)


def test_runs_with_network_blocked(monkeypatch):
    """No hub, no download: every socket connection attempt fails the test."""
    attempts = []

    def refuse(self, *args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled by test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    t = WhisperTranscriber()  # fresh instance: loads the model with the network blocked
    text = "I rolled the change back and told the on call team what had happened."
    out = t.transcribe(np.concatenate([say(text), pause(0.5)]))
    assert wer(text, out.text) <= 0.2
    assert attempts == []


def test_missing_or_bad_model_dir(tmp_path):
    with pytest.raises(ModelError, match="no model directory"):
        WhisperTranscriber(TranscribeOptions(model_path=tmp_path / "nope"))
    with pytest.raises(ModelError, match="model.bin missing"):
        WhisperTranscriber(TranscribeOptions(model_path=tmp_path))
    (tmp_path / "model.bin").write_bytes(b"garbage")
    t = WhisperTranscriber(TranscribeOptions(model_path=tmp_path))
    with pytest.raises(ModelError, match="cannot load model"):
        t.load()


ROOM_TEXT = ("I broke the checkout page with a config change. I rolled it back within ten "
             "minutes and added a test so it cannot happen again.")

# Other people in the room (espeak-ng voices), talking about other things.
TALKERS = [
    ("en-us+f2", "Did you see the match last night? The keeper never even moved."),
    ("en-gb-x-rp+m1", "Pass me the big spoon, would you, and turn the oven down a bit."),
    ("en-029+m3", "The train was late again, so I walked from the station in the rain."),
    ("en-gb+f4", "Have you tried that new place on the corner? The cakes are huge."),
    ("en-us+m1", "We are thinking of going to the coast in August, if the weather holds."),
]


@cache
def other_voices() -> tuple[np.ndarray, ...]:
    from coach.audio.pcm import load_audio

    out = []
    with tempfile.TemporaryDirectory(prefix="coach-babble-") as tmp:
        for i, (voice, text) in enumerate(TALKERS):
            wav = Path(tmp) / f"{i}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(wav), text],
                           check=True, capture_output=True)
            out.append(load_audio(wav))
    return tuple(out)


def room_noise(kind: str, n_samples: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "pink":
        return pink_noise(n_samples, rng)
    if kind == "brown":
        return brown_noise(n_samples, rng)
    if kind == "babble":
        return babble_noise(other_voices(), n_samples, rng)
    return keyboard_click_noise(n_samples, rng)


@pytest.fixture(scope="module")
def quiet_room(transcriber) -> tuple[np.ndarray, float]:
    """The answer recorded in a quiet room, and its word error rate there."""
    clean = np.concatenate([say(ROOM_TEXT), pause(1.0)])
    return clean, wer(ROOM_TEXT, transcriber.transcribe(clean).text)


@pytest.fixture
def decode_depth(transcriber, monkeypatch) -> list[int]:
    """The deepest nesting of ``transcribe`` calls seen (1: no re-decoding)."""
    depth, deepest = [0], [0]
    inner = transcriber.transcribe

    def counted(*args, **kwargs):
        depth[0] += 1
        deepest[0] = max(deepest[0], depth[0])
        try:
            return inner(*args, **kwargs)
        finally:
            depth[0] -= 1

    monkeypatch.setattr(transcriber, "transcribe", counted)
    return deepest


@pytest.mark.parametrize("kind", ["pink", "brown", "babble", "keyboard"])
def test_speech_in_a_noisy_room_comes_through_without_recursion(transcriber, quiet_room,
                                                               decode_depth, kind):
    """A loud fan (pink noise), traffic rumble (brown), other people talking (babble of
    five voices) at 10 dB SNR, and keyboard clicks as loud as the loudest syllables (also
    10 dB): the words still come through (word error rate within 15 points of the quiet
    room; 30 for babble, tiny.en's hardest case, where plain faster-whisper does worse
    and its unseeded retries move the figure by a word or two), nothing is lost,
    and re-decoding the tail never recurses (one level at most)."""
    clean, clean_wer = quiet_room
    noisy = mix_at_snr_db(clean, room_noise(kind, clean.size, seed=1), 10.0)
    noisy_wer = wer(ROOM_TEXT, transcriber.transcribe(noisy).text)
    assert decode_depth[0] <= 2
    if kind != "babble":
        assert noisy_wer <= clean_wer + 0.15, (clean_wer, noisy_wer)
        return
    # How well tiny.en hears through babble moves with the machine's arithmetic: on the
    # machines of 2026-11 6 words of 25 were lost, on that of 2026-12-01 7 (0.12 -> 0.40),
    # where plain faster-whisper on the same audio loops (0.96-1.24 with its retries, 8.96
    # greedy). So: within 30 points of the quiet room, and never worse than plain.
    assert noisy_wer <= clean_wer + 0.30, (clean_wer, noisy_wer)
    assert noisy_wer <= plain_whisper_wer(transcriber, noisy), (clean_wer, noisy_wer)


def plain_whisper_wer(transcriber, samples: np.ndarray) -> float:
    """Word error rate of plain faster-whisper (the coach's model file and compute type,
    word timestamps, its VAD, greedy so that it does not vary run to run) on ``samples``."""
    from faster_whisper import WhisperModel

    model = WhisperModel(str(transcriber.model_path), device="cpu",
                         compute_type=transcriber.options.compute_type, local_files_only=True)
    segments, _ = model.transcribe(samples.astype(np.float32), language="en",
                                   word_timestamps=True, vad_filter=True, temperature=0.0)
    return wer(ROOM_TEXT, " ".join(s.text for s in segments))


@pytest.mark.parametrize("kind, snr_db", [("pink", 5.0), ("brown", 5.0), ("babble", 10.0),
                                          ("keyboard", 10.0)])
def test_noise_alone_is_no_answer(transcriber, quiet_room, kind, snr_db):
    """The room's noise with nobody answering, as loud as in the loudest mix it is heard
    in (other voices included: they are not the answer), gives no words."""
    clean, _ = quiet_room
    noise = to_int16(noise_at_snr_db(clean, room_noise(kind, clean.size, seed=2), snr_db))
    with pytest.raises(NoSpeechError):
        transcriber.transcribe(noise)


def _heard(*pairs: tuple[str, float], start_s: float = 4.0) -> tuple[Word, ...]:
    return tuple(Word(text, start_s + 0.3 * k, start_s + 0.3 * k + 0.25, p)
                 for k, (text, p) in enumerate(pairs))


@pytest.mark.parametrize("redo, recovered", [
    # Clear speech went on after the last word: the words are recovered.
    ([("half", 0.99), ("a", 0.95), ("day,", 0.98), ("and", 0.97), ("we", 0.99),
      ("moved", 0.96)], True),
    # The first word repeated unsure (the re-decode starts in the end of the word before),
    # but letter for letter as before: recovered (the busy-core device test lost "canary
    # stage to the release" to a "then" heard at 0.18).
    ([("half", 0.18), ("a", 0.95), ("day,", 0.98), ("and", 0.97), ("we", 0.99),
      ("moved", 0.96)], True),
    # ...but a new word heard unsure is not taken.
    ([("half", 0.99), ("a", 0.95), ("day,", 0.98), ("and", 0.97), ("we", 0.2),
      ("moved", 0.96)], False),
    # Over a fan: the repeated words misheard ("half a day" -> "to cap a bay").
    ([("to", 0.05), ("cap", 0.18), ("a", 0.86), ("bay.", 0.31)], False),
    # Over rumble: repeated as before, but with "Thank you" heard from nothing.
    ([("half", 0.33), ("a", 0.58), ("day.", 0.35), ("Thank", 0.03), ("you.", 0.99)], False),
    # The same letters split into more words ("cannot" as "can not"): no word more.
    ([("half", 0.99), ("a", 0.95), ("da", 0.6), ("y", 0.7)], False),
])
def test_a_re_decoded_tail_is_taken_only_when_heard_clearly(monkeypatch, redo, recovered):
    """Words Whisper dropped at the end are recovered by decoding the tail again; in noise
    that re-decode mishears and invents, so its result counts only when it repeats the
    words before it as they were and hears every word after those clearly. (No model: the
    re-decode is given.)"""
    t = WhisperTranscriber()
    words = _heard(("We", 1.0), ("lost", 0.97), ("half", 0.99), ("a", 0.94), ("day.", 0.99),
                   start_s=3.1)
    monkeypatch.setattr(t, "transcribe", lambda *a, **k: Transcript(
        _heard(*redo, start_s=3.7), (), 6.0, "fake"))
    samples = np.zeros(16000 * 6, np.int16)
    voiced = np.ones(200, dtype=bool)  # voiced to the end, well past the last word
    out = t._redo_dropped_tail(samples, voiced, words, words[-1].end, 0.0)
    assert out == (words[:2] + _heard(*redo, start_s=3.7) if recovered else words)


@pytest.mark.parametrize("redo, loudness, kept", [
    # The speech it jumped over, heard clearly: put in its place, its first word timed at
    # the start of the clip (which begins 0.1 s early, in the word before).
    ([("we", 0.9), ("rang", 0.8), ("the", 0.95), ("ward", 0.7), ("first", 0.9)], 1.0, True),
    # The same, but the clip's first word is the end of the word before, heard again.
    ([("it", 0.9), ("we", 0.9), ("rang", 0.8), ("the", 0.95), ("ward", 0.7)], 1.0, True),
    # Noise the VAD called speech: what Whisper makes of it is unsure.
    ([("the", 0.2), ("bay", 0.1), ("thank", 0.4)], 1.0, False),
    # Another voice in the room during a pause, heard clearly but 20 dB quieter.
    ([("and", 0.9), ("now", 0.9), ("the", 0.9), ("weather", 0.9)], 0.1, False),
])
def test_speech_whisper_jumped_over_is_decoded_again(monkeypatch, redo, loudness, kept):
    """Seconds of speech no word covers, in a chunk 60 s into an answer, are decoded again
    on their own, and the words heard there are kept when heard clearly, not repeating
    the words around them, and not far quieter than the answer. (No model: the re-decode
    is given.)"""
    t = WhisperTranscriber()
    words = (_heard(("so", 0.9), ("it", 0.95), start_s=61.0)
             + _heard(("and", 0.9), ("it", 0.95), ("worked.", 0.99), start_s=66.0))
    calls = []

    def again(samples, offset_s=0.0, prompt=None, **kwargs):
        calls.append((samples.size / 16000, offset_s, prompt, kwargs))
        return Transcript(_heard(*redo, start_s=offset_s), (), 4.0, "fake")

    monkeypatch.setattr(t, "transcribe", again)
    samples = (np.random.default_rng(0).normal(0, 3000, 16000 * 8)).astype(np.int16)
    samples[int(1.55 * 16000):int(5.95 * 16000)] = (
        samples[int(1.55 * 16000):int(5.95 * 16000)] * loudness).astype(np.int16)
    voiced = np.zeros(267, dtype=bool)
    voiced[33:200] = True  # 1.0-6.0 s: the two words, then speech up to "and"
    out = t._redo_skipped(samples, voiced, words, 60.0, prompt="earlier words")
    if loudness < 1:
        assert out == words and not calls  # not even decoded
        return
    assert len(calls) == 1 and calls[0][3] == {"fillers": False}  # never recursing
    assert 4.5 <= calls[0][0] <= 4.7  # the stretch (4.45 s) and 0.1 s each side, no more
    assert calls[0][2] == "so it"  # the words before it as the prompt
    recovered = [w.text for w in out[2:-3]]
    assert recovered == (["we", "rang", "the", "ward"] + (["first"] if redo[-1][0] == "first"
                                                          else []) if kept else [])
    assert out[:2] == words[:2] and out[-3:] == words[-3:]


def test_fillers_cost_a_short_decode_not_a_second_pass(transcriber, monkeypatch):
    """The "um"s are found by decoding only the stretches where the plain words left room
    for one (coach/speech/gaps.py), not the answer a second time: on a 110-second answer
    with ten fillers, the audio decoded with the filler prompt is at most a third of the
    answer, in pieces of one Whisper window at most, and fillers are found, none invented.
    (This noise-free Piper voice is the hardest for it: 4 of 10 found, 4 detected;
    scripts/eval_asr.py measures the voices with their natural variation.)"""
    from star_fixtures import FIXTURES, build

    from coach.eval.asr import with_fillers
    from coach.eval.fillers import score
    from coach.speech.fillers import filler_rules

    answer = build(with_fillers(FIXTURES["long_opening"]))
    answer_s = answer.audio.size / 16000
    model = transcriber._model
    decoded: list[tuple[float, str | None]] = []
    inner = model.transcribe

    def counted(audio, **kwargs):
        decoded.append((audio.size / 16000, kwargs.get("initial_prompt")))
        return inner(audio, **kwargs)

    monkeypatch.setattr(model, "transcribe", counted)
    words = list(transcriber.transcribe(answer.audio).words)
    for_fillers = [s for s, prompt in decoded if prompt == filler_rules().prompt]
    assert decoded[0][0] >= answer_s  # the plain pass: the whole answer, once
    assert for_fillers and sum(for_fillers) <= answer_s / 3, (decoded, answer_s)
    assert max(for_fillers) <= 30
    found = score(words, list(answer.fillers))
    assert found.said == 10 and found.true_positives >= 3 and found.precision >= 0.75, found


def test_a_long_run_on_without_pauses_keeps_its_beginning(transcriber, tmp_path):
    """Talk with no pause for 20 s and more (a labelled answer, b34-27, as espeak-ng's
    en-us+m3 says it at 164 words a minute): Whisper rates its first window as likely
    non-speech and decodes it by sampling, yet hears it surely. That window was dropped as
    invented: 107 of 185 words heard, none of the first 55. Now it is kept."""
    from coach.analysis.labelled import load_answers
    from coach.audio.pcm import load_audio

    data = Path(__file__).parent / "data" / "star" / "b34.txt"
    answer = next(a for a in load_answers(data) if a.id == "b34-27")
    wav = tmp_path / "answer.wav"
    subprocess.run(["espeak-ng", "-v", "en-us+m3", "-s", "164", "-w", str(wav), "--stdin"],
                   input=answer.text, text=True, check=True, capture_output=True)
    heard = transcriber.transcribe(load_audio(wav)).text
    said = answer.text.split()
    assert len(heard.split()) >= 0.85 * len(said), heard
    assert "orchard" in heard.lower()[:120], heard


def test_speech_whisper_jumps_over_is_heard_all_the_same(transcriber, tmp_path):
    """A spoken answer (b17-33) as espeak-ng's Scottish en-gb-scotland+m2 says it at 182
    words a minute: Whisper stops 29 s into 50 s of talk, and the re-decoded tail, with one
    unsure word in seventy, was not taken: 107 of 175 words heard. The speech after the
    last word is now decoded again on its own and comes back."""
    from coach.analysis.labelled import load_answers
    from coach.audio.pcm import load_audio

    data = Path(__file__).parent / "data" / "star" / "b17.txt"
    answer = next(a for a in load_answers(data) if a.id == "b17-33")
    wav = tmp_path / "answer.wav"
    subprocess.run(["espeak-ng", "-v", "en-gb-scotland+m2", "-s", "182", "-w", str(wav),
                    "--stdin"], input=answer.text, text=True, check=True, capture_output=True)
    words = transcriber.transcribe(load_audio(wav)).words
    assert len(words) >= 0.85 * len(answer.text.split()), words
    assert words[-1].end > 45.0, words[-3:]


def test_an_answer_recorded_while_a_core_was_busy_is_heard_to_its_last_word(transcriber):
    """tests/data/audio/busy_core_answer.wav: the answer of the busy-core device test as the
    virtual microphone recorded it in a CI run that failed (the whole suite in parallel,
    another process spinning on a core). The plain pass stops at "added a" (its "a"
    stretched over the rest), and the re-decoded tail, which hears the rest, was refused
    for its first repeated word's 0.18: the last five words were lost. On an AMD EPYC
    machine the plain pass instead jumps from "added a" to "to the release", its "to"
    stretched over "canary stage to" at 0.04 (``stretched_word_s``)."""
    from coach.audio.pcm import load_audio

    heard = transcriber.transcribe(
        load_audio(Path(__file__).parent / "data/audio/busy_core_answer.wav")).text
    assert "canary stage to the release" in heard.lower(), heard
    assert wer(DEVICE_ANSWER, heard) <= 0.2, heard


def test_a_long_answer_heard_with_the_vocabulary_in_pieces_of_one_window(tmp_path, monkeypatch):
    """As `coach analyze` hears a recording: with the vocabulary, in pieces cut in pauses,
    each first decoded as one window of its speech alone with no words before it as its
    prompt (``batch_pieces``). The Scottish voice's fast answer (b17-33, 50 s, three pieces)
    is heard to its end all the same, and at 20 dB of pink noise too (without the speech
    alone, the pauses' noise made Whisper jump over whole sentences: 53% of the words
    wrong on another answer)."""
    import coach.speech.whisper as whisper
    from coach.analysis.labelled import load_answers
    from coach.audio.pcm import load_audio
    from coach.speech.vocabulary import answer_vocabulary

    data = Path(__file__).parent / "data" / "star" / "b17.txt"
    answer = next(a for a in load_answers(data) if a.id == "b17-33")
    wav = tmp_path / "answer.wav"
    subprocess.run(["espeak-ng", "-v", "en-gb-scotland+m2", "-s", "182", "-w", str(wav),
                    "--stdin"], input=answer.text, text=True, check=True, capture_output=True)
    clean = load_audio(wav)
    batches = []
    inner = whisper._transcribe_clips

    def spied(model, audio, clips, **options):
        batches.append(len(clips))
        return inner(model, audio, clips, **options)

    monkeypatch.setattr(whisper, "_transcribe_clips", spied)
    t = WhisperTranscriber(TranscribeOptions(vocabulary=answer_vocabulary(None)))
    t.load()
    noise = pink_noise(clean.size, np.random.default_rng(3))
    for audio in (clean, mix_at_snr_db(clean, noise, 20.0)):
        words = t.transcribe(audio).words
        assert len(words) >= 0.85 * len(answer.text.split()), words
        assert words[-1].end > 45.0, words[-3:]
        assert wer(answer.text, " ".join(w.text for w in words)) <= 0.35
    assert len(batches) == 2 and min(batches) >= 2, batches  # each heard in pieces
