"""Session folders: owner-only, atomic writes, lookup by id."""

import json
from datetime import datetime

import pytest

from coach.errors import InputError, SessionNotFound
from coach.sessions.store import SessionStore, atomic_write_json


def test_folders_and_files_are_owner_only(tmp_path):
    store = SessionStore(tmp_path / "s")
    s = store.create()
    assert (s.path.stat().st_mode & 0o777) == 0o700
    assert (store.root.stat().st_mode & 0o777) == 0o700
    p = s.write_json("report.json", {"a": 1})
    assert (p.stat().st_mode & 0o777) == 0o600
    assert s.read_json("report.json") == {"a": 1}


def test_atomic_write_leaves_old_file_when_it_fails(tmp_path):
    target = tmp_path / "r.json"
    atomic_write_json(target, {"v": 1})
    with pytest.raises(TypeError):
        atomic_write_json(target, {"v": object()})  # not serialisable: fails before rename
    assert json.loads(target.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temp file left


def test_lookup_by_id_prefix_and_last(tmp_path):
    store = SessionStore(tmp_path)
    a = store.create(datetime(2026, 1, 2, 3, 4, 5))
    b = store.create(datetime(2026, 1, 2, 3, 4, 5))  # same second: gets a suffix
    c = store.create(datetime(2026, 2, 1, 0, 0, 0))
    assert b.id == f"{a.id}-1"
    assert store.get("last") == c
    assert store.get("202602") == c
    # A full id is never ambiguous, even when it starts another session's id.
    assert store.get(a.id) == a and store.get(b.id) == b
    with pytest.raises(InputError, match="matches 2 sessions"):
        store.get("20260102")
    with pytest.raises(SessionNotFound):
        store.get("1999")


def test_an_empty_or_blank_id_is_refused_and_deletes_nothing(tmp_path):
    import pytest

    from coach.errors import InputError
    from coach.sessions.store import SessionStore

    store = SessionStore(tmp_path / "s")
    only = store.create()
    for blank in ("", "   ", "\t"):
        with pytest.raises(InputError, match="session id is needed"):
            store.get(blank)
    assert store.all() == [only] and only.path.is_dir()
