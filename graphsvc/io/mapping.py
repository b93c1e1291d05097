"""Shared pieces of the importers of other formats (HSDS, FHIR, Belgian open data).

An importer reads its source completely, maps what it can to bundle records (the tables of
bundle_format.py) and notes every record it cannot map in an `ImportReport` (counted, with
a few examples each). The records then go through `bundle_from_records`: the same checks as a
native bundle, and later the same write path.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphsvc.io.bundle import _ID, Bundle, Record

MAX_CSV_BYTES = 200 * 1024 * 1024
EXAMPLES = 3
# The Belgian enterprise register in org-id.guide, and words that name each identifier scheme.
_SCHEME_WORDS = {
    "nihdi": ("nihdi", "riziv", "inami", "2.16.840.1.113883.3.6777.5.2"),
    "kbo": ("kbo", "cbe", "bce", "enterprise"),
    "afmps": ("afmps", "fagg", "famhp"),
}


@dataclass
class ImportReport:
    """What an import read, mapped and could not map (counted, with examples)."""

    source: str
    read: Counter[str] = field(default_factory=Counter)
    mapped: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def skip(self, reason: str, where: str = "") -> None:
        """Count a record that is not imported, with why."""
        self.skipped[reason] += 1
        self._example(reason, where)

    def note(self, reason: str, where: str = "") -> None:
        """Count a record imported with a default or a partial mapping."""
        self.notes[reason] += 1
        self._example(reason, where)

    def _example(self, reason: str, where: str) -> None:
        if where and len(self.examples[reason]) < EXAMPLES:
            self.examples[reason].append(where)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def lines(self) -> list[str]:
        """Human-readable summary lines, most frequent first."""
        out = []
        if self.read:
            out.append("read: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.read.items())))
        if self.mapped:
            out.append("mapped: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.mapped.items())))
        for title, counter in (("not imported", self.skipped), ("imported with", self.notes)):
            for reason, count in counter.most_common():
                seen = self.examples.get(reason)
                example = f" (e.g. {'; '.join(seen)})" if seen else ""
                out.append(f"{title}: {count:,} x {reason}{example}")
        return out


@dataclass
class Imported:
    """A checked bundle built from another format, the report of the mapping, and how its
    actors matched those already in the database (when they were compared)."""

    bundle: Bundle
    report: ImportReport
    matched: Any = None  # matching.MatchReport
    extra: Any = None  # per incoming actor, compared fields not kept on it (address, phone)

    def lines(self) -> list[str]:
        return self.report.lines() + (self.matched.lines() if self.matched else [])


def slug(text: str, limit: int = 60) -> str:
    """Lowercase ASCII words joined by '-', for ids made from names."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    return "-".join(words)[:limit].strip("-")


def prefixed(prefix: str, raw: Any) -> str | None:
    """A graph id for a source id: `prefix-raw` (kept as is when already prefixed); None when
    the result is not a valid id."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return None
    if prefix and not text.startswith(prefix + "-"):
        text = f"{prefix}-{text}"
    return text if _ID.match(text) else None


def valid_code(raw: Any) -> str | None:
    """A source code usable as a graph key as it is, or None."""
    text = str(raw).strip() if raw is not None else ""
    return text if text and _ID.match(text) else None


LANGUAGES = {
    "english": "en", "spanish": "es", "french": "fr", "dutch": "nl", "flemish": "nl",
    "german": "de", "creole": "ht", "haitian creole": "ht", "kreyol": "ht", "portuguese": "pt",
    "russian": "ru", "arabic": "ar", "hebrew": "he", "italian": "it", "greek": "el",
    "yiddish": "yi", "chinese": "zh", "mandarin": "zh", "cantonese": "zh", "polish": "pl",
    "turkish": "tr", "american sign language": "ase", "sign language": "sgn",
    "vietnamese": "vi", "korean": "ko", "japanese": "ja", "hindi": "hi", "urdu": "ur",
    "tagalog": "tl", "farsi": "fa", "persian": "fa", "romanian": "ro", "ukrainian": "uk",
    "bengali": "bn", "swahili": "sw", "somali": "so", "amharic": "am", "tigrinya": "ti",
    "albanian": "sq", "berber": "ber", "lingala": "ln", "czech": "cs", "hungarian": "hu",
    "bulgarian": "bg", "serbian": "sr", "croatian": "hr", "bosnian": "bs", "pashto": "ps",
    "dari": "prs", "kurdish": "ku", "armenian": "hy", "georgian": "ka", "thai": "th",
    "asl": "ase", "haitian-creole": "ht", "danish": "da", "swedish": "sv", "norwegian": "no",
    "icelandic": "is", "gujarati": "gu", "sindhi": "sd", "taiwanese": "nan", "punjabi": "pa",
    "tamil": "ta", "nepali": "ne", "finnish": "fi", "slovak": "sk", "slovenian": "sl",
    "lithuanian": "lt", "latvian": "lv", "estonian": "et", "macedonian": "mk",
    "espanol": "es", "francais": "fr", "nederlands": "nl", "deutsch": "de", "ingles": "en",
}  # fmt: skip
_LANGUAGE_WORDS = re.compile(
    r"\b(" + "|".join(sorted((re.escape(n) for n in LANGUAGES), key=len, reverse=True)) + r")\b"
)
LANGUAGE_NAMES = {code: name.title() for name, code in reversed(LANGUAGES.items())}
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


def language_codes(name: str | None = None, code: str | None = None) -> list[str]:
    """ISO 639 codes from a code ('fr-BE' -> fr) or the language names in a text ('Spanish
    and Creole (limited)' -> es, ht); empty when none is recognised."""
    if code:
        primary = code.strip().lower().replace("_", "-").split("-")[0]
        if _LANGUAGE_CODE.match(primary):
            return [primary]
    if not name:
        return []
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    if plain.strip() in LANGUAGE_NAMES:
        return [plain.strip()]
    found: list[str] = []
    for word in _LANGUAGE_WORDS.findall(plain):
        if LANGUAGES[word] not in found:
            found.append(LANGUAGES[word])
    return found


_TAG = re.compile(r"^[a-z0-9][a-z0-9_+-]{0,39}$")


def eligibility_tag(text: str | None) -> str | None:
    """A short eligibility tag ('chronic', '65plus', 'low_income') or None for free text."""
    if not text:
        return None
    tag = text.strip().lower().replace(" ", "_")
    return tag if _TAG.match(tag) else None


def identifier_scheme(*labels: str | None) -> str | None:
    """The bundle identifier scheme (nihdi, kbo, afmps) named by a system URI, scheme or type."""
    for label in labels:
        if not label:
            continue
        tokens = set(re.split(r"[^a-z0-9.]+", label.strip().lower()))
        for scheme, words in _SCHEME_WORDS.items():
            if tokens & set(words):
                return scheme
    return None


def identifier_value(scheme: str, raw: str) -> str | None:
    """A register number in its plain form (KBO: 10 digits, without dots or spaces)."""
    text = re.sub(r"[\s.]", "", raw or "")
    if scheme == "kbo" and re.fullmatch(r"\d{9}", text):
        text = "0" + text
    return text if text and _ID.match(text) else None


def read_csv_records(
    path: Path, problems: list[str], required: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV file by header name (line number, row); problems appended, not raised.

    Refuses files over MAX_CSV_BYTES, stops at the first undecodable byte or malformed line
    (a file of garbage costs one read of its first bytes, not its size in memory).
    """
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        problems.append(f"{path}: larger than {MAX_CSV_BYTES // 2**20} MB, refused")
        return
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                problems.append(f"{path}: empty file")
                return
            header = [h.strip() for h in header]
            missing = [c for c in required if c not in header]
            if missing:
                problems.append(
                    f"{path.name}: row 1: missing column(s) {', '.join(missing)} "
                    f"(found {','.join(header)[:200]})"
                )
                return
            for line, values in enumerate(reader, start=2):
                if not values:
                    continue
                if len(values) > len(header):
                    problems.append(
                        f"{path.name} row {line}: {len(values)} fields, header has {len(header)}"
                    )
                    if len(problems) > 100:
                        return
                    continue
                yield line, dict(zip(header, values, strict=False))
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    except csv.Error as exc:
        problems.append(f"{path}: malformed CSV: {exc}")


def records_count(records: dict[str, list[Record]]) -> Counter[str]:
    """Rows per table of mapped records."""
    return Counter({name: len(rows) for name, rows in records.items() if rows})
