"""Sound devices: listing, choosing, and the microphone and speaker on top of sounddevice."""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from coach.audio.pcm import FRAME_SAMPLES, SAMPLE_RATE, resample
from coach.errors import DeviceError

if TYPE_CHECKING:
    from sounddevice import InputStream

log = logging.getLogger(__name__)

STALL_S = 2.0
"""A microphone that delivers nothing for this long, once started, has gone away."""

NO_SOUND_HINT = (
    "check that a microphone is plugged in and not muted, list devices with 'coach devices', "
    "or analyse a recording instead: coach practice --answer FILE"
)


def _sd():
    try:
        import sounddevice
    except OSError as exc:  # PortAudio library missing
        raise DeviceError(
            "audio library PortAudio is missing (Debian/Ubuntu: apt install libportaudio2)"
        ) from exc
    return sounddevice


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: float
    is_default_input: bool
    is_default_output: bool


def list_devices() -> list[DeviceInfo]:
    sd = _sd()
    try:
        devices = sd.query_devices()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as exc:
        raise DeviceError(f"cannot query sound devices: {exc}") from exc
    return [
        DeviceInfo(d["index"], d["name"], d["max_input_channels"], d["max_output_channels"],
                   d["default_samplerate"], d["index"] == default_in, d["index"] == default_out)
        for d in devices
    ]


def pick_device(spec: str | int | None, kind: str) -> int | None:
    """Resolve ``--device`` (an index or a name substring) to a device index.

    ``kind`` is "input" or "output". None means the system default, which must exist.
    """
    devices = list_devices()
    usable = [d for d in devices if (d.inputs if kind == "input" else d.outputs) > 0]
    what = "microphone" if kind == "input" else "output device"
    if not usable:
        raise DeviceError(f"no {what} found: {NO_SOUND_HINT}")
    if spec is None or spec == "":
        default = [d for d in usable if (d.is_default_input if kind == "input"
                                         else d.is_default_output)]
        return default[0].index if default else usable[0].index
    text = str(spec).strip()
    if text.isdigit():
        index = int(text)
        if any(d.index == index for d in usable):
            return index
        raise DeviceError(f"no {what} with index {index}: see 'coach devices'")
    matches = [d for d in usable if text.lower() in d.name.lower()]
    if len(matches) == 1:
        return matches[0].index
    if not matches:
        raise DeviceError(f"no {what} matches {text!r}: see 'coach devices'")
    names = ", ".join(f"{d.index}: {d.name}" for d in matches)
    raise DeviceError(f"{text!r} matches several devices ({names}): give the index")


class Microphone(Protocol):
    """Yields 16 kHz mono int16 blocks. Used as a context manager."""

    overflows: int
    """Times input was lost during the latest recording because the device's buffer filled
    before it was read (PortAudio input overflows: the computer was too busy); 0 from a
    file. Reset when the microphone is entered."""

    def __enter__(self) -> Microphone: ...
    def __exit__(self, *exc) -> None: ...
    def read(self, timeout_s: float) -> np.ndarray | None:
        """Next block, or None when nothing arrived within ``timeout_s``."""


class SoundDeviceMicrophone:
    """A sounddevice input stream; the callback only counts overflows and queues copies of
    the blocks: all the work happens in the thread that reads them."""

    def __init__(self, device: str | int | None = None):
        self.device = pick_device(device, "input")
        self.name = next(d.name for d in list_devices() if d.index == self.device)
        self._queue: queue.Queue[np.ndarray] = queue.Queue()
        self._stream: InputStream | None = None
        self._rate = SAMPLE_RATE
        self._last_block = 0.0
        self.first_block = False
        self.overflows = 0
        """Input overflows of the current (or latest) recording. Written only by the
        callback thread and read by others: an int under the GIL, no lock needed."""

    def _callback(self, indata, frames, time, status) -> None:
        if status.input_overflow:
            self.overflows += 1
        self._queue.put(indata[:, 0].copy())

    def _open(self, rate: int):
        sd = _sd()
        return sd.InputStream(samplerate=rate, channels=1, dtype="int16", device=self.device,
                              blocksize=FRAME_SAMPLES * rate // SAMPLE_RATE,
                              callback=self._callback)

    def __enter__(self) -> SoundDeviceMicrophone:
        sd = _sd()
        self._queue = queue.Queue()  # nothing stale from an earlier recording
        self.overflows = 0
        try:
            try:
                self._stream = self._open(SAMPLE_RATE)
            except sd.PortAudioError:
                # Some hardware only runs at its native rate: record at that and resample.
                self._rate = int(sd.query_devices(self.device)["default_samplerate"])
                log.info("microphone does not take 16 kHz; recording at %d Hz", self._rate)
                self._stream = self._open(self._rate)
            self._stream.start()
        except sd.PortAudioError as exc:
            raise DeviceError(f"cannot open microphone {self.name!r}: {exc}") from exc
        return self

    def __exit__(self, *exc) -> None:
        if self._stream is not None:
            try:
                self._stream.close(ignore_errors=True)
            finally:
                self._stream = None

    def read(self, timeout_s: float) -> np.ndarray | None:
        try:
            block = self._queue.get(timeout=timeout_s)
        except queue.Empty:
            # A live stream delivers a block every 30 ms; silence for longer than the
            # stall limit (after the slow first start) means the device went away.
            stalled = self.first_block and time.monotonic() - self._last_block > STALL_S
            if stalled or (self._stream is not None and not self._stream.active):
                raise DeviceError("the microphone stopped delivering audio "
                                  "(unplugged or taken by another program)") from None
            return None
        self._last_block = time.monotonic()
        if not self.first_block:
            log.info("microphone is delivering audio")
            self.first_block = True
        return resample(block, self._rate) if self._rate != SAMPLE_RATE else block


class SoundDeviceSpeaker:
    """Plays 16 kHz samples on an output device and waits until they are heard."""

    LEAD_IN_S = 0.3
    """Silence played before every clip. A new output stream takes a moment to start on
    a sound server (PulseAudio, PipeWire): without this the first syllable of the question
    is lost ("Describe a situation" heard as "...cribe a situation")."""

    LATENCY_S = 0.3
    """The output buffer PortAudio is asked for. A clip is played whole, so the delay does
    not matter, while PortAudio's 'high' default (about 35 ms) ran dry up to five times per
    question with one core kept busy: gaps in the speech, and PulseAudio's ALSA plugin
    recovers by opening a new stream, throwing away what was already queued."""

    LEAD_OUT_S = LATENCY_S + 0.1
    """Silence played after every clip: PortAudio's ALSA host returns once the last block
    is handed over, not played, and closing the stream drops what is still buffered (up
    to ``LATENCY_S``): without this the end of the sentence is cut."""

    def __init__(self, device: str | int | None = None):
        self.device = pick_device(device, "output")
        self._underflows = 0
        self._lock = threading.Lock()

    @property
    def underflows(self) -> int:
        """Clips during which the output ran dry (a PortAudio output underflow: a gap in
        the sound), over everything this speaker has played."""
        with self._lock:
            return self._underflows

    def play(self, samples: np.ndarray) -> None:
        sd = _sd()
        if samples.size == 0:
            return
        lead_in = np.zeros(int(self.LEAD_IN_S * SAMPLE_RATE), samples.dtype)
        lead_out = np.zeros(int(self.LEAD_OUT_S * SAMPLE_RATE), samples.dtype)
        samples = np.concatenate([lead_in, samples, lead_out])
        try:
            try:
                underflows = self._play(samples, SAMPLE_RATE)
            except sd.PortAudioError:
                rate = int(sd.query_devices(self.device)["default_samplerate"])
                underflows = self._play(resample(samples, SAMPLE_RATE, rate), rate)
        except sd.PortAudioError as exc:
            raise DeviceError(f"cannot play sound: {exc}") from exc
        if underflows:
            log.info("the speaker ran dry %d times while playing (the computer is busy)",
                     underflows)
        with self._lock:
            self._underflows += underflows

    def _play(self, samples: np.ndarray, rate: int) -> int:
        """Play ``samples`` at ``rate`` and wait until the last of them is handed over: 1
        when the output ran dry meanwhile, else 0. Errors opening or starting the stream
        are PortAudio's (``play`` then tries the device's own rate); an error while
        playing is a DeviceError (the clip is not played again from the start).

        One blocking write of the whole clip, not a callback: PortAudio then feeds the
        device from C without Python's global lock, so a thread holding that lock for a
        while (importing the recogniser while the question is spoken) cannot starve it. A
        callback needing the lock every few milliseconds ran dry whenever another thread
        held it for longer than the buffer, and the sound server threw away what was
        queued: the first words of the question were lost."""
        sd = _sd()
        failed: list[BaseException] = []
        underflowed = [False]
        stream = sd.OutputStream(samplerate=rate, channels=1, dtype="int16",
                                 device=self.device, latency=self.LATENCY_S)
        try:
            stream.start()
        except BaseException:
            stream.close()
            raise

        def write() -> None:
            try:
                stream.write(np.ascontiguousarray(samples))
                # A write reports an underflow since the write before it: a short silence
                # after the clip tells whether the clip ran dry.
                underflowed[0] = bool(stream.write(np.zeros(rate // 20, np.int16)))
            except BaseException as exc:  # handed to the caller's thread
                failed.append(exc)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        try:
            # Generous: gaps on a busy machine stretch the playing; only a dead device
            # takes this long.
            writer.join(2 * samples.size / rate + 10)
            if writer.is_alive():
                raise DeviceError("the speaker stopped playing "
                                  "(unplugged or taken by another program)")
        except BaseException:  # that, or Ctrl-C: stop now, not once the clip has played
            stream.abort()
            writer.join(1.0)
            if not writer.is_alive():
                stream.close()
            # else left open: closing it would free what the writer, still inside
            # PortAudio, is using
            raise
        stream.stop()  # returns once what is buffered has played
        stream.close()
        if failed:
            raise DeviceError(f"cannot play sound: {failed[0]}") from failed[0]
        return int(underflowed[0])
