"""Jargon: how much the vocabulary (Whisper hotwords) helps the recogniser hear it.

    .venv/bin/python scripts/eval_vocabulary.py [--voices V,V,...] [--methods M,M,...]
        [--no-noise] [--no-silence] [--cache FILE]

Nine jargon-heavy answers (cloud and devops, nursing, finance, data, security; 20 s to a
minute, three longer than Whisper's 30-second window) are spoken by four espeak-ng voices
(American man, British woman, Scottish man, Caribbean woman; 160 wpm) and by Piper
("joe", neural), clean and with pink noise at 20 dB SNR, and transcribed by the app's
recogniser (tiny.en, default options) three ways:

- none: no vocabulary;
- hotwords: ``TranscribeOptions.vocabulary``, as the app runs it;
- prompt: the same terms as an initial prompt instead (which turns the filler search off).

The vocabulary of each answer is what the app would use: the speaker's own list for the
domain (as given to ``coach config vocabulary``), the question's key terms and the rubric's
keywords (``coach.speech.vocabulary.answer_vocabulary``). Per voice it prints the recall of
the domain terms (the speaker's list, counted where the answer says them: "p99" heard as
"P99" or "p 99" counts, "Kubernetes" heard as "Cooper Nettys" does not), the word error
rate, and the vocabulary terms heard that were not said. Then silence and noise alone
(pink and brown at 5 dB and babble at 10 dB below each answer's speech) are transcribed
with each answer's vocabulary on: no word, and above all no vocabulary word, may come out.

Targets: recall of the domain terms up at least 30% relative, word error rate not worse,
no words from silence or noise. The audio is the same on every run; Whisper's fallback
decoding samples at random, so now and then a figure moves by a word. Takes about half
an hour on a two-core laptop; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jiwer  # noqa: E402
from eval_noise import BABBLE, make_noise  # noqa: E402  (scripts/ is on a script's path)
from make_heard_data import speak  # noqa: E402

from coach.audio.voices import NeuralVoice  # noqa: E402
from coach.errors import NoSpeechError  # noqa: E402
from coach.eval.noise import mix_at_snr_db, noise_at_snr_db, pink_noise, to_int16  # noqa: E402
from coach.prompts import get_question  # noqa: E402
from coach.speech.vocabulary import answer_vocabulary, parse_terms  # noqa: E402
from coach.speech.whisper import TranscribeOptions, WhisperTranscriber  # noqa: E402

RATE_WPM = 160
SAMPLE_RATE_HZ = 16_000
SNR_DB = 20.0
ESPEAK_VOICES = ("en-us+m3", "en-gb+f3", "en-gb-scotland+m2", "en-029+f4")
PIPER = "piper"
METHODS = ("none", "hotwords", "prompt")

# Each speaker's own list, as they would type it after 'coach config vocabulary'.
DOMAINS = {
    "devops": "Kubernetes, Postgres, p99, Terraform, on-call, Helm, Grafana, PagerDuty, "
              "Kafka, Redis, canary, autoscaler, SLO, etcd",
    "nursing": "sepsis, tachycardia, heparin, telemetry, SBAR, IV, triage, charge nurse, "
               "vancomycin, lactate, EHR, Braden score, PRN",
    "finance": "EBITDA, accruals, reconciliation, general ledger, SOX, basis points, "
               "NetSuite, amortization, FX, variance, 10-K, audit committee, controller",
    "data": "Airflow, dbt, Snowflake, Parquet, backfilled, dashboard, BigQuery, Looker",
    "security": "Okta, MFA, Splunk, SIEM, tenant, CVE, phishing, SSO",
}


@dataclass(frozen=True)
class Answer:
    domain: str
    question: str
    text: str


ANSWERS = [
    Answer("devops", "fr-incident",
           "Last spring I changed the Terraform module for our Kubernetes cluster and set "
           "the autoscaler limit too low. During the evening peak our p99 latency went from "
           "two hundred milliseconds to four seconds, and PagerDuty woke the on-call "
           "engineer. I rolled back the Helm release, then found that Postgres connections "
           "were exhausted. I added a Grafana alert on connection count and a canary stage "
           "before every rollout."),
    Answer("devops", "fr-outage",
           "I owned the Kafka consumer that fed our Redis cache. I shipped a change without "
           "a load test, and the consumer lag grew to two hours, so customers saw stale "
           "prices. I paused the deploy, replayed the topic from the last good offset, and "
           "wrote the postmortem. The root cause was a retry loop that blocked the partition "
           "whenever Redis timed out. I rewrote the retry with a dead letter queue, and I "
           "asked the platform team to add etcd quotas so that one consumer cannot starve "
           "the others. Now every change to the consumer goes through a canary, and we have "
           "an SLO on lag with a PagerDuty alert."),
    Answer("devops", "fr-incident",
           "Two years ago I chose to run our Postgres database inside Kubernetes instead of "
           "on managed instances, because I wanted every service on the same Terraform and "
           "Helm workflow. It worked for months, until a node upgrade evicted the database "
           "pod during the evening peak. The failover took eleven minutes, our p99 latency "
           "passed ten seconds, and PagerDuty paged the whole on-call rotation. I led the "
           "incident call, promoted the replica by hand, and updated the status page every "
           "fifteen minutes. In the postmortem I owned the decision openly: I had never "
           "tested a pod eviction under load. I moved the database back to managed Postgres, "
           "added a Grafana dashboard for replication lag, and wrote a runbook for failover. "
           "I also set an SLO for checkout latency, and every quarter we now run a chaos "
           "test that kills one database node on purpose."),
    Answer("nursing", "fr-pressure",
           "On a night shift I was the charge nurse when a patient on telemetry developed "
           "tachycardia and a fever. I had delayed his vitals by an hour because of a triage "
           "backlog. I used SBAR to call the doctor, we drew a lactate and started IV fluids "
           "and vancomycin for suspected sepsis. Afterwards I changed our handover so that "
           "vitals on telemetry patients are never pushed back."),
    Answer("nursing", "fr-customer-mistake",
           "I once gave a heparin dose from the wrong order in the EHR, because an old order "
           "had not been discontinued. I noticed it at the next check, told the patient and "
           "the physician straight away, and we monitored her clotting closely. I filed an "
           "incident report, and I worked with pharmacy so that duplicate heparin orders "
           "now raise an alert before anyone can scan the dose."),
    Answer("finance", "fr-failure",
           "At quarter end I ran the reconciliation between NetSuite and the general "
           "ledger, and I missed a set of accruals for a new vendor. Our EBITDA was "
           "overstated by forty basis points in the draft we sent to the auditors. I found "
           "the gap myself, posted the correcting entries and told the controller. Then I "
           "added a SOX control that checks every new vendor's accruals before the close."),
    Answer("finance", "fr-customer-mistake",
           "I built the amortization schedule for a large software contract, and I used the "
           "wrong FX rate for the euro payments. The variance only showed up two months "
           "later in the 10-K review. I owned it in front of the audit committee and rebuilt "
           "the schedule that same week. Then I traced every contract in foreign currency "
           "through the general ledger, found two more with the same error, and posted the "
           "corrections before the close. I wrote a checklist for foreign currency contracts "
           "that every analyst now follows, and the controller made the FX check part of our "
           "SOX testing."),
    Answer("data", "fr-incident",
           "I moved our nightly pipeline from Airflow to dbt on Snowflake, and I dropped a "
           "filter that removed test accounts. The revenue dashboard was wrong for three "
           "days before a sales lead noticed. I rolled it back, backfilled the tables from "
           "the Parquet archive, and added dbt tests that fail the run when test accounts "
           "appear in any model."),
    Answer("security", "fr-incident",
           "I approved an Okta policy change that turned off MFA for our contractors by "
           "accident. Splunk flagged a login from an unknown country the next morning. I "
           "reverted the policy within ten minutes, reset the affected passwords, and "
           "checked every session in the SIEM. Since then, any change to the SSO policy "
           "needs a second reviewer and a run on a test tenant first."),
]


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9' ]+", " ", s.lower().replace("-", " "))).strip()


def count_term(term: str, tokens: list[str]) -> int:
    """How often ``term`` occurs in ``tokens`` (normalised words) as whole words, spaces
    ignored: "p99" matches "p99" and "p 99", "on-call" matches "on call" and "oncall"."""
    target = norm(term).replace(" ", "")
    n = i = 0
    while i < len(tokens):
        joined = ""
        for j in range(i, len(tokens)):
            joined += tokens[j]
            if joined == target:
                n += 1
                i = j
                break
            if not target.startswith(joined):
                break
        i += 1
    return n


@dataclass
class Tally:
    """Counts over a set of transcribed answers."""

    said: int = 0
    """Domain terms said."""
    heard: int = 0
    """...and heard."""
    invented: int = 0
    """Vocabulary terms heard more often than said."""
    ends: int = 0
    """Sentence ends (. ? !) written."""
    ref_ends: int = 0
    refs: list[str] = field(default_factory=list)
    hyps: list[str] = field(default_factory=list)

    def add(self, reference: str, hypothesis: str, domain_terms: tuple[str, ...],
            vocabulary: tuple[str, ...]) -> None:
        ref, hyp = norm(reference).split(), norm(hypothesis).split()
        for term in domain_terms:
            said, heard = count_term(term, ref), count_term(term, hyp)
            self.said += said
            self.heard += min(said, heard)
        self.invented += sum(max(0, count_term(t, hyp) - count_term(t, ref))
                             for t in vocabulary)
        self.ends += len(SENTENCE_END.findall(hypothesis))
        self.ref_ends += len(SENTENCE_END.findall(reference))
        self.refs.append(" ".join(ref))
        self.hyps.append(" ".join(hyp))

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.said + other.said, self.heard + other.heard,
                     self.invented + other.invented, self.ends + other.ends,
                     self.ref_ends + other.ref_ends, self.refs + other.refs,
                     self.hyps + other.hyps)

    @property
    def recall(self) -> float:
        return self.heard / self.said if self.said else 0.0

    @property
    def wer(self) -> float:
        return jiwer.wer(self.refs, self.hyps) if self.refs else 0.0


SENTENCE_END = re.compile(r"[.?!](?:\s|$)")


def transcriber_for(method: str, vocabulary: tuple[str, ...]) -> WhisperTranscriber:
    if method == "none":
        return WhisperTranscriber(TranscribeOptions())
    hot = WhisperTranscriber(TranscribeOptions(vocabulary=vocabulary))
    if method == "hotwords":
        return hot
    hot.load()  # the same terms, cut to the same length, as an initial prompt
    return WhisperTranscriber(TranscribeOptions(initial_prompt=hot._hotwords))


def transcribe(transcriber: WhisperTranscriber, samples: np.ndarray) -> str:
    try:
        return transcriber.transcribe(samples).text
    except NoSpeechError:
        return ""


def synthesize(voice: str, text: str, tmp: Path, piper: NeuralVoice) -> np.ndarray:
    pad = np.zeros(SAMPLE_RATE_HZ // 2, np.int16)
    speech = piper.synthesize(text) if voice == PIPER else speak(text, voice, RATE_WPM, tmp)
    return np.concatenate([pad, speech, pad, pad])


def print_table(tallies: dict[tuple[str, str, str], Tally], voices: list[str],
                conditions: list[str], methods: list[str]) -> None:
    width = 11 * len(methods)
    print(f"{'':31}{'domain terms heard':^{width}}{'word error rate':^{width}}"
          f"{'sentence ends':^{width}}{'terms not said':^{width}}")
    print(f"{'voice':18}{'condition':13}" + "".join(f"{m:>11}" for m in methods) * 4)
    rows = [(v, c) for v in voices for c in conditions] + [("all voices", c) for c in conditions]
    for voice, condition in rows:
        ts = [sum((tallies[v, condition, m] for v in voices), Tally()) if voice == "all voices"
              else tallies[voice, condition, m] for m in methods]
        print(f"{voice:18}{condition:13}"
              + "".join(f"{t.recall * 100:10.1f}%" for t in ts)
              + "".join(f"{t.wer * 100:10.1f}%" for t in ts)
              + "".join(f"{f'{t.ends}/{t.ref_ends}':>11}" for t in ts)
              + "".join(f"{t.invented:>11}" for t in ts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voices", default=",".join((*ESPEAK_VOICES, PIPER)))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--no-noise", action="store_true", help="clean speech only")
    parser.add_argument("--no-silence", action="store_true",
                        help="skip silence and noise alone")
    parser.add_argument("--cache", type=Path, metavar="FILE",
                        help="keep each transcript here and reuse it on the next run (a run "
                             "cut short goes on where it stopped; delete it after changing "
                             "the recogniser)")
    args = parser.parse_args()
    cache: dict[str, list] = {}
    if args.cache and args.cache.exists():
        cache = json.loads(args.cache.read_text(encoding="utf-8"))
    voices = args.voices.split(",")
    methods = args.methods.split(",")
    conditions = ["clean"] if args.no_noise else ["clean", f"pink {SNR_DB:g} dB"]

    own = [parse_terms(DOMAINS[a.domain]) for a in ANSWERS]
    vocabularies = [answer_vocabulary(get_question(a.question), own[i])
                    for i, a in enumerate(ANSWERS)]
    transcribers = {(m, i): transcriber_for(m, v) for m in {*methods, "none", "hotwords"}
                    for i, v in enumerate(vocabularies)}
    piper = NeuralVoice(noise_scale=0.0, noise_w_scale=0.0)
    clean: dict[tuple[str, int], np.ndarray] = {}
    with tempfile.TemporaryDirectory(prefix="vocab-") as tmp_dir:
        tmp = Path(tmp_dir)
        for voice in voices:
            for i, a in enumerate(ANSWERS):
                clean[voice, i] = synthesize(voice, a.text, tmp, piper)
        talkers = [speak(text, voice, RATE_WPM, tmp) for voice, text in BABBLE]

    tallies: dict[tuple[str, str, str], Tally] = {}
    seconds = dict.fromkeys(methods, 0.0)
    audio_s = 0.0
    for voice in voices:
        for condition in conditions:
            print(f"{voice}, {condition}", file=sys.stderr)
            for i, a in enumerate(ANSWERS):
                audio = clean[voice, i]
                if condition != "clean":
                    rng = np.random.default_rng(zlib.crc32(f"{voice}/{i}".encode()))
                    audio = mix_at_snr_db(audio, pink_noise(audio.size, rng), SNR_DB)
                audio_s += audio.size / SAMPLE_RATE_HZ
                for m in methods:
                    key = f"{voice}|{condition}|{m}|{zlib.crc32(repr(vocabularies[i]).encode())}" \
                          f"|{a.text}"
                    if key not in cache:
                        t0 = time.perf_counter()
                        cache[key] = [transcribe(transcribers[m, i], audio),
                                      time.perf_counter() - t0]
                        if args.cache:
                            args.cache.write_text(json.dumps(cache), encoding="utf-8")
                    text, took = cache[key]
                    seconds[m] += took
                    tallies.setdefault((voice, condition, m), Tally()).add(
                        a.text, text, own[i], vocabularies[i])
                    print(f"  {m:9} {text}", file=sys.stderr)

    lengths = [clean[voices[0], i].size / SAMPLE_RATE_HZ for i in range(len(ANSWERS))]
    said = sum(count_term(t, norm(a.text).split())
               for a, terms in zip(ANSWERS, own, strict=True) for t in terms)
    print(f"{len(ANSWERS)} answers ({min(lengths):.0f}-{max(lengths):.0f} s in {voices[0]}), "
          f"{said} domain terms said; {len(voices)} voices; {', '.join(conditions)}")
    print_table(tallies, voices, conditions, methods)
    total = {m: sum((t for k, t in tallies.items() if k[2] == m), Tally()) for m in methods}
    print()
    for m in methods:
        t = total[m]
        line = (f"{m:9} domain terms heard {t.heard}/{t.said} = {t.recall * 100:.1f}%, "
                f"WER {t.wer * 100:.1f}%, sentence ends {t.ends}/{t.ref_ends}, "
                f"terms not said {t.invented}, {seconds[m] / audio_s:.2f} x real time")
        if m != "none" and "none" in total and total["none"].recall:
            line += f"; recall {(t.recall / total['none'].recall - 1) * 100:+.0f}% relative"
        print(line)

    if args.no_silence:
        return
    print()
    print("silence and noise alone, as long as each answer in the first two voices, noise as "
          "loud as below its speech; without and with the answer's vocabulary (hotwords):")
    for kind, snr_db in (("silence", 0.0), ("pink", 5.0), ("brown", 5.0), ("babble", 10.0)):
        print(f"{kind} alone", file=sys.stderr)
        heard: dict[str, list[str]] = {"none": [], "hotwords": []}
        vocab_words = dict.fromkeys(heard, 0)
        runs = 0
        for i, vocabulary in enumerate(vocabularies):
            for voice in voices[:2]:
                speech = clean[voice, i]
                if kind == "silence":
                    audio = np.zeros_like(speech)
                else:
                    seed = zlib.crc32(f"alone {kind}/{voice}/{i}".encode())
                    noise = make_noise(kind, speech.size, np.random.default_rng(seed), talkers)
                    audio = to_int16(noise_at_snr_db(speech, noise, snr_db))
                runs += 1
                for m in heard:
                    if text := transcribe(transcribers[m, i], audio):
                        heard[m].append(text)
                        vocab_words[m] += sum(count_term(t, norm(text).split())
                                              for t in vocabulary)
        level = "" if kind == "silence" else f" at {snr_db:g} dB"
        for m, texts in heard.items():
            verdict = "no words" if not texts else f"words in {len(texts)}: {texts!r}"
            print(f"  {kind + level:16}{m:10}{runs} recordings, vocabulary words: "
                  f"{vocab_words[m]}; {verdict}")


if __name__ == "__main__":
    main()
