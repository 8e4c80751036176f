"""Spoken answers with thinking pauses at known places, for end-of-turn detection.

Each answer is text with pause marks: ``[3.5 situation]`` is a 3.5-second thinking pause
of that kind (after the Situation, between Action steps, after "so what I did was", after
an "um") said mid-answer; sentences are otherwise joined with short gaps as in
star_fixtures. The answer is synthesized at run time sentence by sentence in a given voice
(tests/asr_fixtures.py's voices), trimmed to its voiced audio, so the end of the last
word and every pause are known to the sample. Written for this purpose: varied jobs and
registers, each ending in a finished Result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16000
SENTENCE_GAP_S = 0.35
FILLER_GAP_S = 0.25
_MARK = re.compile(r"\[(\d+(?:\.\d+)?) ([a-z-]+)\]")


@dataclass(frozen=True)
class TurnAnswer:
    name: str
    job: str
    text: str
    """With pause marks."""

    def segments(self) -> list[tuple[str, float, str]]:
        """(text, pause after it in seconds, kind of pause); the last has pause 0, "end"."""
        out, pos = [], 0
        for m in _MARK.finditer(self.text):
            out.append((self.text[pos:m.start()].strip(), float(m.group(1)), m.group(2)))
            pos = m.end()
        out.append((self.text[pos:].strip(), 0.0, "end"))
        return out

    @property
    def last_word(self) -> str:
        return re.sub(r"[^\w']", "", self.segments()[-1][0].split()[-1]).lower()


@dataclass(frozen=True)
class SpokenTurn:
    audio: np.ndarray
    pauses: tuple[tuple[str, float, float], ...]
    """(kind, start s, end s) of every thinking pause."""
    last_word_end_s: float
    reference: str


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def speak_answer(answer: TurnAnswer, speak: Callable[[str], np.ndarray],
                 trim: Callable[[str, Callable[[str], np.ndarray]], np.ndarray],
                 lead_s: float = 0.8, tail_s: float = 10.0) -> SpokenTurn:
    """The answer said by ``speak`` (``trim`` cuts a rendering to its voiced audio)."""
    chunks = [np.zeros(int(lead_s * SAMPLE_RATE), np.int16)]
    t = lead_s
    pauses = []
    said = []
    for text, pause_s, kind in answer.segments():
        for k, sentence in enumerate(sentences(text)):
            if k:
                chunks.append(np.zeros(int(SENTENCE_GAP_S * SAMPLE_RATE), np.int16))
                t += SENTENCE_GAP_S
            audio = trim(sentence, speak)
            chunks.append(audio)
            t += audio.size / SAMPLE_RATE
            said.append(sentence)
        if kind != "end":
            chunks.append(np.zeros(int(pause_s * SAMPLE_RATE), np.int16))
            pauses.append((kind, t, t + pause_s))
            t += pause_s
    end = t
    chunks.append(np.zeros(int(tail_s * SAMPLE_RATE), np.int16))
    return SpokenTurn(np.concatenate(chunks), tuple(pauses), end, " ".join(said))


ANSWERS: tuple[TurnAnswer, ...] = (
    TurnAnswer("nurse-insulin", "nurse", (
        "I was the nurse in charge on a surgical ward one night, and I found that a patient "
        "had been given his evening insulin twice. [3.5 situation] So what I did was "
        "[2.5 so-what] check his blood sugar straight away. It was already dropping, so I "
        "gave him glucose and called the doctor on call. [3.0 between-actions] Then I "
        "checked him every fifteen minutes until the morning. His sugar came back up "
        "within the hour and he was fine. Since then we sign insulin on the chart the "
        "moment it is given, and it has not happened again.")),
    TurnAnswer("teacher-trip", "teacher", (
        "I teach year six, and on a museum trip I counted the children onto the coach and "
        "got twenty nine instead of thirty. [4.0 situation] Um [2.5 um] I kept the coach "
        "where it was and sent my assistant back inside with a photo of the missing girl. "
        "[3.0 between-actions] I rang the museum desk so they could watch the doors. We "
        "found her in the gift shop ten minutes later, completely calm. Now every group "
        "has a buddy list, and we count by pairs before anyone moves.")),
    TurnAnswer("warehouse-forklift", "warehouse", (
        "I was shift lead in a cold store, and a new driver clipped a racking leg with his "
        "forklift. [3.0 situation] So the first thing I did was [3.5 so-what] stop all "
        "traffic in that aisle and tape it off. [2.5 between-actions] Then I got the "
        "racking inspector in before anyone touched a pallet. The leg was replaced the "
        "same day and nobody was hurt. After that we added a second induction day on the "
        "trucks for every new driver.")),
    TurnAnswer("sales-discount", "sales", (
        "I was an account manager, and I promised a big customer a discount I had not "
        "cleared with finance. [3.0 situation] When finance refused it, I was honestly "
        "stuck. [2.5 between-actions] I called the customer myself the same afternoon and "
        "told them it was my mistake. Then I offered free delivery for a year, which I "
        "could sign off. [4.0 between-actions] Um [2.0 um] they stayed with us and renewed "
        "the next spring. I now check every price with finance before it goes in writing.")),
    TurnAnswer("software-deploy", "software", (
        "I was the on call engineer, and I deployed a change that broke the login page for "
        "about a third of our users. [3.0 situation] So what I did was [3.0 so-what] roll "
        "the change back first, before looking for the cause. [2.5 between-actions] Then I "
        "posted an update in the incident channel every fifteen minutes. Logins were back "
        "to normal in twenty minutes. We added a canary stage, so a change now reaches one "
        "percent of users before everyone else.")),
    TurnAnswer("chef-allergy", "chef", (
        "I was head chef on a busy Saturday, and a dish with peanut oil went to a table "
        "that had told us about a nut allergy. [3.5 situation] I went straight out to the "
        "table myself. [3.0 between-actions] The guest had not eaten any of it, luckily, "
        "so I took the plate away and cooked a fresh one on clean equipment. The family "
        "came back the next month. Since then every allergy order gets a red ticket and I "
        "check it at the pass myself.")),
    TurnAnswer("retail-stock", "retail", (
        "I managed a phone shop, and I ordered the wrong model for a launch weekend. "
        "[3.0 situation] Um [3.0 um] I rang the three nearest stores and borrowed their "
        "spare stock. [2.5 between-actions] Then I phoned every customer with a pre-order "
        "to say when theirs would be ready. We lost only two orders out of sixty. Now a "
        "second person checks every launch order before it is sent.")),
    TurnAnswer("callcentre-queue", "call centre", (
        "I was a team leader in a call centre, and I set up the rota so badly that Monday "
        "morning had half the staff it needed. [3.0 situation] So what I did was "
        "[4.0 so-what] move my own calls to the queue and ask two trainers to take calls "
        "as well. [3.0 between-actions] I also put a message on the phone line with the "
        "waiting time. The wait dropped from twenty minutes to four by lunchtime. I "
        "learned to check the rota against the call forecast every week, and I still do.")),
    TurnAnswer("electrician-circuit", "electrician", (
        "I was wiring a new kitchen, and I put a second oven on an existing circuit to "
        "save time. [4.0 situation] At lunchtime the breaker tripped with both ovens on. "
        "[2.5 between-actions] I came back straight away and told the owner it was my "
        "fault. That night I ran a proper new circuit for the oven, at my own cost. They "
        "still call us for every job. Now every appliance gets a written load check "
        "before I touch the board.")),
    TurnAnswer("hr-payroll", "human resources", (
        "I worked in payroll, and I sent the wrong tax code for forty new starters, so "
        "they were all overtaxed. [3.0 situation] Um [2.5 um] I wrote to every one of them "
        "that day to explain. [3.5 between-actions] Then I ran a correction with the next "
        "payroll, and I paid back the difference in full. Nobody left over it, and two "
        "people thanked me for being straight with them. I added a second check on every "
        "new starter file.")),
    TurnAnswer("nurse-handover", "nurse", (
        "On a children's ward I missed a note at handover that a little boy was not "
        "allowed anything to eat before his scan. [3.0 situation] So what I did was "
        "[3.0 so-what] tell the radiology team straight away and move his scan to the "
        "afternoon. [2.5 between-actions] I apologised to his parents and explained what "
        "had happened. He had his scan the same day. Our handover sheet now has a box for "
        "fasting, and we read it out loud.")),
    TurnAnswer("teacher-marks", "teacher", (
        "I was head of maths, and I entered the mock exam marks for one class into the "
        "wrong column, so their predicted grades were a full grade too low. "
        "[3.5 situation] I noticed it when a parent emailed. [3.0 between-actions] I "
        "corrected the marks that evening and wrote to every family in the class the next "
        "morning. All the grades were right before the college deadline. We now have a "
        "second teacher check every upload.")),
    TurnAnswer("warehouse-pick", "warehouse", (
        "Right, so I was running the picking team on a peak night, and I let a whole "
        "trailer go with the wrong labels. [3.0 situation] Um [3.0 um] so I rang the "
        "driver and got him to pull into the next services. [2.5 between-actions] I sent "
        "two of my team out with new labels in a van. The trailer was back on the road "
        "inside two hours and every parcel made it. After that we scan the trailer "
        "manifest before the doors close.")),
    TurnAnswer("sales-demo", "sales", (
        "I was leading a product demo for a big prospect, and the demo account crashed in "
        "the first five minutes. [3.0 situation] So what I did was [3.5 so-what] switch to "
        "the slides and talk them through the workflow, and I promised a proper demo the "
        "next day. [2.5 between-actions] I spent the evening rebuilding the account with "
        "our engineer. They signed three weeks later. I now test the demo account an hour "
        "before every call.")),
    TurnAnswer("software-data", "software", (
        "As a data engineer I ran a cleanup script against the production database instead "
        "of the test one, and it deleted a day of orders. [4.0 situation] I stopped the "
        "script and told my manager straight away. [3.0 between-actions] Then I restored "
        "the table from the backup taken that morning and replayed the orders from the "
        "logs. We lost no orders in the end, and customers never noticed. Since then "
        "production needs a separate login, so it cannot happen by accident.")),
    TurnAnswer("pharmacy-label", "pharmacist", (
        "I was the pharmacist on duty, and I checked a prescription that went out with the "
        "wrong strength on the label. [3.0 situation] Um [2.5 um] I phoned the patient at "
        "home that afternoon. [3.0 between-actions] She had not taken any yet, so I drove "
        "the right tablets round to her myself. She was fine and thanked me for calling. "
        "Since then we read every label out loud against the screen before it is bagged.")),
    TurnAnswer("hotel-booking", "hotel reception", (
        "I was on the front desk, and I double booked our biggest suite on a wedding "
        "weekend. [3.5 situation] So what I did was [2.5 so-what] call a partner hotel "
        "round the corner and book their best room. [3.0 between-actions] Then I arranged "
        "a car for the guests and a bottle of wine in the room. The guests wrote a kind "
        "review in the end. We now lock a suite the moment a deposit arrives.")),
    TurnAnswer("builder-concrete", "site manager", (
        "I was the site manager, and I booked the concrete pour for a day when rain was "
        "forecast. [3.0 situation] The first lorry was already on the way. "
        "[3.5 between-actions] I got covers over the slab and kept the crew on to finish "
        "it in the dry end of the site. The slab passed its test a week later. Now I check "
        "the forecast the day before every pour and move it if I need to.")),
    TurnAnswer("bank-transfer", "bank clerk", (
        "At the bank I keyed a transfer for ten thousand pounds instead of one thousand. "
        "[3.0 situation] Um [3.0 um] I told my supervisor at once and we called the "
        "receiving bank. [2.5 between-actions] They froze the money before it was spent, "
        "and it came back in two days. The customer never lost a penny. I now read the "
        "amount back out loud before I press send.")),
    TurnAnswer("software-alert", "software", (
        "I owned the monitoring for our payments service, and I muted an alert during a "
        "test and forgot to turn it back on. [3.5 situation] So what I did was "
        "[3.0 so-what] write a script that lists every muted alert each morning. "
        "[2.5 between-actions] But first I turned the alert back on and checked the "
        "payments from that week by hand. Nothing had been missed. The script still runs "
        "every day, and it has caught two muted alerts since.")),
    TurnAnswer("care-medication", "care worker", (
        "I'm a care worker, and on a home visit I realised I had left a client's "
        "medication unlocked the day before. [3.0 situation] I checked the blister packs "
        "straight away. [3.0 between-actions] None were missing, so I locked them away and "
        "rang my manager to report it. We told the family the same day. I now lock the box "
        "and photograph it at the end of every visit.")),
    TurnAnswer("teacher-email", "teacher", (
        "I sent a parents' email about a school trip to the wrong class list. "
        "[3.0 situation] So what I did was [3.0 so-what] send a short correction within "
        "ten minutes. [2.5 between-actions] Then I rang the two families who had already "
        "paid by mistake and refunded them. By the end of the day every family had the "
        "right details. I always send a test to myself first now.")),
)
