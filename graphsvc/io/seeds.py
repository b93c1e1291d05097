"""Seeds: the demo bundles shipped in `seeds/`, bundle folders or JSON files by path, and
`belgium`, built at run time from public open data (graphsvc/io/belgium.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from graphsvc.errors import NotFound
from graphsvc.io.bundle import Bundle, read_bundle, write_bundle
from graphsvc.store import Store

SEEDS_DIR = Path(__file__).resolve().parent.parent.parent / "seeds"
BUILT_SEEDS = ("belgium",)  # made from public data at run time, not shipped as files


def available_seeds() -> list[str]:
    """Names of the seeds graphsvc knows: shipped ones and those built from open data."""
    shipped = []
    if SEEDS_DIR.is_dir():
        shipped = [p.name for p in SEEDS_DIR.iterdir() if (p / "zones.csv").is_file()]
    return sorted(set(shipped) | set(BUILT_SEEDS))


def resolve_seed(name_or_path: str) -> Path:
    """A shipped seed's folder by name, or any bundle folder (or JSON bundle file) by path."""
    path = Path(name_or_path)
    if path.is_dir() or (path.is_file() and path.suffix.lower() == ".json"):
        return path
    if "/" not in name_or_path and (SEEDS_DIR / name_or_path).is_dir():
        return SEEDS_DIR / name_or_path
    names = ", ".join(available_seeds()) or "none"
    raise NotFound(f"unknown seed {name_or_path!r}: not a folder and not one of: {names}")


def read_seed(name_or_path: str) -> Bundle:
    """The checked bundle of a seed: built (belgium) or read from its folder or file."""
    if name_or_path == "belgium" and not Path(name_or_path).exists():
        from graphsvc.io.belgium import read_belgium

        return read_belgium()
    return read_bundle(resolve_seed(name_or_path))


def load_seed(
    store: Store, name_or_path: str, progress: Callable[[int], None] | None = None
) -> tuple[Bundle, dict[str, int]]:
    """Check a seed completely, then write it; return the bundle and rows written per query."""
    bundle = read_seed(name_or_path)
    return bundle, write_bundle(store, bundle, progress)
