"""Session folders: one per practice or drill, owner-only, every file written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from coach.analysis.report import Report
from coach.errors import InputError, SessionNotFound
from coach.sessions.files import DamagedSession, SessionMeta, report_from_json
from coach.speech.transcript import Transcript

AUDIO_NAME = "answer.wav"
META_NAME = "meta.json"
TRANSCRIPT_NAME = "transcript.json"
REPORT_NAME = "report.json"


def default_root() -> Path:
    """Sessions live in the platform's per-user data directory."""
    if env := os.environ.get("COACH_SESSIONS_DIR"):
        return Path(env)
    import platformdirs

    return platformdirs.user_data_path("coach", appauthor=False) / "sessions"


def make_private_dirs(path: Path) -> None:
    """Create ``path`` and any missing parents, each new one owner-only (0700) whatever the
    umask (``mkdir(parents=True, mode=...)`` applies the mode to the last folder only, and
    the umask to all)."""
    path = Path(path)
    missing: list[Path] = []
    for folder in (path, *path.parents):
        if folder.exists() or folder.is_symlink():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(folder, 0o700)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` (0600), fsync, then rename over it.
    An OSError names ``path`` (a full disk otherwise says only "No space left")."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode())


@dataclass(frozen=True)
class Session:
    """One session folder. Its files are read and written as their types here
    (``read_meta``/``write_meta``, ``read_report``/``write_report``, ``write_transcript``);
    a file that is missing, unreadable or of the wrong shape raises DamagedSession."""

    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def audio_path(self) -> Path:
        return self.path / AUDIO_NAME

    def kept_audio(self) -> Path | None:
        """The kept recording to read back, or None when there is none: missing, or not a
        regular file of this folder (a symbolic link could point at any file)."""
        path = self.audio_path
        return path if path.is_file() and not path.is_symlink() else None

    @property
    def has_report(self) -> bool:
        """Whether the answer got as far as a report (not so after no speech, a declined
        partial recording, or a killed run)."""
        return (self.path / REPORT_NAME).is_file()

    def read_meta(self) -> SessionMeta:
        try:
            return SessionMeta.from_json(self.read_json(META_NAME))
        except DamagedSession as exc:
            raise exc.at(self.id, META_NAME) from exc

    def write_meta(self, meta: SessionMeta) -> Path:
        return self.write_json(META_NAME, meta.to_json())

    def read_report(self) -> Report:
        try:
            return report_from_json(self.read_json(REPORT_NAME))
        except DamagedSession as exc:
            raise exc.at(self.id, REPORT_NAME) from exc

    def write_report(self, report: Report) -> Path:
        return self.write_json(REPORT_NAME, report.to_json())

    def write_transcript(self, transcript: Transcript) -> Path:
        return self.write_json(TRANSCRIPT_NAME, transcript.to_json())

    def read_transcript(self) -> Transcript:
        try:
            data = self.read_json(TRANSCRIPT_NAME)
            return Transcript.from_json(data)
        except DamagedSession as exc:
            raise exc.at(self.id, TRANSCRIPT_NAME) from exc
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DamagedSession(f"not a transcript ({exc.__class__.__name__})",
                                 TRANSCRIPT_NAME, self.id) from exc

    def write_json(self, name: str, obj: Any) -> Path:
        """The raw writer under the typed ones (atomic, owner-only)."""
        target = self.path / name
        atomic_write_json(target, obj)
        return target

    def read_json(self, name: str) -> Any:
        """The raw reader under the typed ones: parsed JSON of any shape, or DamagedSession
        when the file is missing, unreadable or not JSON."""
        try:
            with open(self.path / name, encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            raise DamagedSession("the file is missing", name, self.id) from None
        except OSError as exc:
            raise DamagedSession(f"cannot read the file ({exc.strerror or exc})", name, self.id
                                 ) from exc
        except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, nested too deep
            raise DamagedSession(f"not JSON ({exc})", name, self.id) from exc


class SessionStore:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else default_root()

    def _check_root(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"{self.root}: not a folder (the sessions folder must be one)")

    def ensure_writable(self) -> None:
        """Create the sessions folder (owner-only) if needed; InputError naming it when it
        cannot be created or written. Called before a session starts, so nobody answers a
        question whose recording cannot be kept."""
        self._check_root()
        try:
            make_private_dirs(self.root)
        except OSError as exc:
            raise InputError(f"{self.root}: cannot create sessions folder ({exc.strerror})"
                             ) from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise InputError(f"{self.root}: sessions folder is not writable")

    def create(self, now: datetime | None = None) -> Session:
        """A new, empty, owner-only session folder named by its local start time."""
        self.ensure_writable()
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        for n in range(100):
            path = self.root / (stamp if n == 0 else f"{stamp}-{n}")
            try:
                path.mkdir(mode=0o700)
            except FileExistsError:
                continue
            os.chmod(path, 0o700)
            return Session(path)
        raise InputError(f"{self.root}: cannot create a new session folder")

    def all(self) -> list[Session]:
        """Every session folder, oldest first. Symbolic links are not sessions: a link in
        the store could point anywhere, and commands write into session folders."""
        self._check_root()
        if not self.root.is_dir():
            return []
        try:
            entries = list(self.root.iterdir())
        except OSError as exc:
            raise InputError(f"{self.root}: cannot read sessions folder ({exc.strerror})"
                             ) from exc
        return sorted((Session(p) for p in entries
                       if not p.name.startswith(".") and not p.is_symlink() and p.is_dir()),
                      key=lambda s: s.id)

    def get(self, session_id: str) -> Session:
        """By full id, unique prefix, or ``last``. An empty id is refused: as a prefix it
        would match every session (and ``delete`` would remove the only one)."""
        if not session_id.strip():
            raise InputError("a session id is needed (see 'coach history'), not an empty one")
        sessions = self.all()
        if session_id == "last":
            if not sessions:
                raise SessionNotFound("no sessions yet")
            return sessions[-1]
        exact = [s for s in sessions if s.id == session_id]
        matches = exact or [s for s in sessions if s.id.startswith(session_id)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise SessionNotFound(f"no session {session_id!r} (see 'coach history')")
        raise InputError(f"{session_id!r} matches {len(matches)} sessions: type more of it")
