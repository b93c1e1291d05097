"""A second pharmacy list derived from the AFMPS list, as another source would publish it
(seeded, so every run makes the same list): `python -m bench.derived_list AFMPS.csv OUT.csv`.

Per record: names abbreviated and varied (upper case, generic word dropped or added, a legal
form added or dropped, 'Saint' -> 'St', a typo, the holder's name appended), coordinates moved
by 5-80 m, the address abbreviated or removed (30 %), every identifier removed; 3 % of the
records dropped and 3 % new pharmacies added 40-250 m from an existing one; a tenth of the
suspended pharmacies shown as active. A truth file beside OUT (`OUT.truth.csv`: `id,afmps`,
empty afmps for an added record) says which AFMPS record each row is.
"""

from __future__ import annotations

import csv
import math
import random
import re
import sys
from pathlib import Path

GENERIC = {"nl": "Apotheek", "fr": "Pharmacie"}
LEGAL = ("BVBA", "SPRL", "SRL", "BV", "NV", "SC", "Comm.V")
SURNAMES = ("Janssens", "Peeters", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
            "Wouters", "Dubois", "Lambert", "Dupont", "Martin", "Simon", "Laurent", "Leroy",
            "Nouvelle", "Centrale", "du Parc", "De Linde", "Het Kruispunt", "Sint-Jan")  # fmt: skip


def _language(row: dict[str, str]) -> str:
    postcode = int(row.get("postcode") or 0)
    french = 1300 <= postcode < 1500 or 4000 <= postcode < 8000
    return "fr" if french else "nl"


def _typo(name: str, rnd: random.Random) -> str:
    words = name.split()
    long = [i for i, w in enumerate(words) if len(w) >= 6]
    if not long:
        return name
    i = rnd.choice(long)
    w = words[i]
    k = rnd.randrange(1, len(w) - 1)
    words[i] = w[:k] + w[k + 1 :]  # one letter dropped
    return " ".join(words)


def vary_name(row: dict[str, str], rnd: random.Random) -> str:
    """One realistic variant of a pharmacy's name."""
    name = row["name"].strip()
    generic = GENERIC[_language(row)]
    roll = rnd.random()
    if roll < 0.25:
        return name
    if roll < 0.38:
        return name.upper()
    if roll < 0.52:  # generic word dropped, or added
        bare = re.sub(r"(?i)^(pharmacie|apotheek|pharmacy)\s+", "", name)
        return bare if bare != name else f"{generic} {name}"
    if roll < 0.66:  # a legal form added (or dropped)
        bare = re.sub(r"(?i)\s+(bvba|sprl|srl|bv|nv|sc)$", "", name)
        return bare if bare != name else f"{name} {rnd.choice(LEGAL)}"
    if roll < 0.76:  # abbreviated
        short = re.sub(r"(?i)\bpharmacie\b", "Pharm.", name)
        short = re.sub(r"(?i)\bsaint\b", "St", short)
        short = re.sub(r"(?i)\bapotheek\b", "Apo.", short)
        return short if short != name else f"{generic} {name}".replace(generic, generic[:5] + ".")
    if roll < 0.88:
        return _typo(name, rnd)
    holder = (row.get("holder_name") or "").strip().title()
    if holder and holder.lower() not in name.lower():  # "Braems" -> "Apotheek Braems Ellen"
        return f"{generic} {name} {holder}"
    return f"{generic} {name} {rnd.choice(LEGAL)}"


def moved(lat: float, lon: float, rnd: random.Random, low: float, high: float) -> tuple:
    """A point `low`-`high` metres from (lat, lon) in a random direction."""
    metres, angle = rnd.uniform(low, high), rnd.uniform(0, 2 * math.pi)
    dlat = metres * math.cos(angle) / 111_320
    dlon = metres * math.sin(angle) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 7), round(lon + dlon, 7)


def vary_address(address: str, rnd: random.Random) -> str:
    if rnd.random() < 0.3:
        return ""
    if rnd.random() < 0.3:
        address = re.sub(r"(?i)^rue\b", "R.", address)
        address = re.sub(r"(?i)straat\b", "str.", address)
        address = re.sub(r"(?i)^avenue\b", "Av.", address)
    return address.upper() if rnd.random() < 0.2 else address


def derive(afmps: Path, out: Path, seed: int = 15) -> tuple[int, int, int]:
    """Write the derived list and its truth file; return (rows, dropped, added)."""
    rnd = random.Random(seed)
    with afmps.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    derived, truth, dropped = [], [], 0
    for row in rows:
        if rnd.random() < 0.03:
            dropped += 1
            continue
        lat, lon = moved(float(row["lat"]), float(row["lon"]), rnd, 5, 80)
        status = row["status"]
        if status == "TEMPORARILY_SUSPENDED" and rnd.random() < 0.1:
            status = "ACTIVE"
        derived.append({"name": vary_name(row, rnd), "address": vary_address(row["address"], rnd),
                        "lat": lat, "lon": lon, "status": status})  # fmt: skip
        truth.append(row["authorization_id"])
    added = 0
    for row in rnd.sample(rows, k=round(0.03 * len(rows))):
        lat, lon = moved(float(row["lat"]), float(row["lon"]), rnd, 40, 250)
        name = f"{GENERIC[_language(row)]} {rnd.choice(SURNAMES)}"
        derived.append({"name": name, "address": "", "lat": lat, "lon": lon, "status": "ACTIVE"})
        truth.append("")
        added += 1
    order = list(range(len(derived)))
    rnd.shuffle(order)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["id", "name", "address", "lat", "lon", "status"])
        writer.writeheader()
        for n, i in enumerate(order, start=1):
            writer.writerow({"id": f"d{n}", **derived[i]})
    with out.with_suffix(".truth.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "afmps"])
        for n, i in enumerate(order, start=1):
            writer.writerow([f"d{n}", truth[i]])
    return len(derived), dropped, added


if __name__ == "__main__":
    print(derive(Path(sys.argv[1]), Path(sys.argv[2])))
