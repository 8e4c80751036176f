"""Typed errors raised by library code; only the CLI turns them into messages and exit codes."""


class CoachError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class InputError(CoachError):
    """A file or argument given by the user cannot be used."""

    exit_code = 2


class AudioFormatError(InputError):
    """A file exists but is not decodable audio, or holds no samples."""


class NoSpeechError(CoachError):
    """The recording holds no speech (silence, noise, nobody answered)."""

    exit_code = 3


class DeviceError(CoachError):
    """No usable microphone or speaker, or the device failed mid-stream."""

    exit_code = 4


class ModelError(CoachError):
    """The speech model cannot be found or loaded."""

    exit_code = 5


class TtsUnavailable(CoachError):
    """No speech synthesis engine can be used; callers fall back to printing."""


class SessionNotFound(InputError):
    """No stored session matches the given id."""
