"""Demo seeds shipped in `seeds/`: find one by name or folder and load it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from graphsvc.errors import NotFound
from graphsvc.io.bundle import Bundle, read_bundle, write_bundle
from graphsvc.store import Store

SEEDS_DIR = Path(__file__).resolve().parent.parent.parent / "seeds"


def available_seeds() -> list[str]:
    """Names of the seeds shipped with graphsvc."""
    if not SEEDS_DIR.is_dir():
        return []
    return sorted(p.name for p in SEEDS_DIR.iterdir() if (p / "zones.csv").is_file())


def resolve_seed(name_or_path: str) -> Path:
    """A shipped seed's folder by name, or any bundle folder by path."""
    path = Path(name_or_path)
    if path.is_dir():
        return path
    if "/" not in name_or_path and (SEEDS_DIR / name_or_path).is_dir():
        return SEEDS_DIR / name_or_path
    names = ", ".join(available_seeds()) or "none"
    raise NotFound(f"unknown seed {name_or_path!r}: not a folder and not one of: {names}")


def load_seed(
    store: Store, name_or_path: str, progress: Callable[[int], None] | None = None
) -> tuple[Bundle, dict[str, int]]:
    """Check a seed completely, then write it; return the bundle and rows written per query."""
    bundle = read_bundle(resolve_seed(name_or_path))
    return bundle, write_bundle(store, bundle, progress)
