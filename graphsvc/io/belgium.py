"""Real Belgian geography and second-line actors, built at run time from public open data.

`graphsvc load belgium` builds: Belgium > regions (Vlaanderen, Wallonie, Brussel) > the
Flemish and Brussels primary care zones (eerstelijnszones, ELZ) > municipalities (581, with
their population on 1/1/2020, 11,492,641 in all) > neighbourhoods (2,730 wijken of Flanders and
Brussels, as vicinity networks); Walloon municipalities sit directly under Wallonie. The 272
hospital sites become second-line actors with a hospital-care (or psychiatric) service sized by
their beds, and an emergency service where they have one. The demo vocabulary of service and
need types comes along, so gap queries run on this geography.

The permissively licensed files it needs ship in `graphsvc/opendata/belgium` (origins and
licences in `graphsvc/opendata/NOTICE.md`); the pharmacy list (non-commercial) does not.
Ids: `be`, `vlaanderen`, `wallonie`, `brussel` (shared with the demo seeds), `be-elzN`,
`be-nis-NNNNN`, `be-wijk-NNNNNNN`, `be-hospital-N`.

`import_pharmacies` reads the AFMPS/FAGG pharmacy list (same folder; non-commercial licence,
so it is only read, never shipped) as first-line actors matched against those already there.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from graphsvc.core.coverage import distance_km
from graphsvc.demo.vocab import NEED_TYPES, SERVICE_TYPES
from graphsvc.errors import InputError
from graphsvc.io.bundle import Bundle, ExistingKeys, Record, bundle_from_records
from graphsvc.io.geo import load_areas, locate
from graphsvc.io.mapping import Imported, ImportReport, identifier_value, read_csv_records, slug
from graphsvc.io.matching import match_records

REPO = Path(__file__).resolve().parents[2]
SHIPPED = Path(__file__).resolve().parents[1] / "opendata" / "belgium"
MUNICIPALITIES = "belgium_municipalities_2020_centroids.csv"
POLYGONS = "belgium_municipalities_2019_pop2020.geojson"
ELZ = "eerstelijnszones.csv"
MUNICIPALITY_ELZ = "municipality_to_elz_2019_2024.csv"
WIJKEN = "wijken_ggw7_2024_centroids.csv"
HOSPITALS = "hospitals_be_eurostat_2020.csv"
PHARMACIES = "pharmacies_be_afmps_2022-03.csv"
REGIONS = {  # reg_nis -> (id, name, languages)
    "02000": ("vlaanderen", "Vlaanderen", ["nl"]),
    "03000": ("wallonie", "Wallonie", ["fr"]),
    "04000": ("brussel", "Brussel / Bruxelles", ["fr", "nl"]),
}
BRUSSELS_ELZ_PROVINCE = "4000"
EXTRA_SERVICE_TYPES = (("emergency-care", "Emergency department", "hospital", "hospital-care"),)


def _rows(path: Path, problems: list[str], required: tuple[str, ...]) -> list[tuple[str, dict]]:
    if not path.is_file():
        problems.append(f"{path}: missing")
        return []
    return [(f"{path.name} row {n}", row) for n, row in read_csv_records(path, problems, required)]


def _int(value: str) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _float(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def belgium_records(folder: Path, problems: list[str]) -> dict[str, list[Record]]:
    """The bundle records of Belgium's geography and hospitals from the files in folder."""
    out: dict[str, list[Record]] = defaultdict(list)
    for code, name, category, broader in SERVICE_TYPES + EXTRA_SERVICE_TYPES:
        row = {"code": code, "name": name, "category": category, "broader": broader or None}
        out["service_types"].append(("graphsvc vocabulary", row))
    for code, name, domain, met_by in NEED_TYPES:
        row = {"code": code, "name": name, "domain": domain, "met_by": list(met_by)}
        out["need_types"].append(("graphsvc vocabulary", row))

    municipalities = _rows(folder / MUNICIPALITIES, problems,
                           ("nis", "name_nl", "name_fr", "reg_nis", "population_2020"))  # fmt: skip
    links = _rows(folder / MUNICIPALITY_ELZ, problems,
                  ("nis_2019", "elz_code", "is_technical_code"))  # fmt: skip
    elz_rows = _rows(folder / ELZ, problems, ("elz_code", "elz_name", "province_nis"))
    wijken = _rows(folder / WIJKEN, problems, ("wijk_code", "wijk_name", "nis_2019"))
    hospitals = _rows(folder / HOSPITALS, problems, ("id", "hospital_name", "lat", "lon"))
    if problems:
        return {}

    elz_of = {r["nis_2019"]: r["elz_code"] for _, r in links if r["is_technical_code"] == "0"}
    used_elz = set(elz_of.values())
    elz_region: dict[str, str] = {}
    for where, row in elz_rows:
        code = row["elz_code"]
        if code not in used_elz:
            continue  # technical codes ("not localisable", "outside Flanders and Brussels")
        region = "brussel" if row["province_nis"] == BRUSSELS_ELZ_PROVINCE else "vlaanderen"
        elz_region[code] = region
        out["zones"].append((where, {
            "id": f"be-{code}", "name": row["elz_name"], "level": "primary_care_zone",
            "population": _int(row.get("population_2020", "")),
            "lat": _float(row.get("centroid_lat", "")), "lon": _float(row.get("centroid_lon", "")),
            "part_of": region}))  # fmt: skip

    region_of: dict[str, str] = {}
    population: dict[str, int] = defaultdict(int)
    weighted: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    names: dict[str, str] = {}
    for where, row in municipalities:
        nis = row["nis"]
        elz = elz_of.get(nis)
        # The ELZ decides Flanders/Brussels (the municipality file puts Mesen in Wallonia).
        region = elz_region[elz] if elz else REGIONS.get(row["reg_nis"], ("",))[0]
        if not region:
            problems.append(f"{where} field reg_nis: unknown region {row['reg_nis']!r}")
            continue
        region_of[nis] = region
        nl, fr = row["name_nl"].strip(), row["name_fr"].strip()
        name = {"vlaanderen": nl, "wallonie": fr}.get(region) or (
            nl if nl == fr else f"{fr} / {nl}"
        )
        names[nis] = name
        people = _int(row["population_2020"])
        lat, lon = _float(row.get("centroid_lat", "")), _float(row.get("centroid_lon", ""))
        population[region] += people or 0
        if people and lat is not None and lon is not None:
            acc = weighted[region]
            acc[0], acc[1], acc[2] = acc[0] + people * lat, acc[1] + people * lon, acc[2] + people
        out["zones"].append((where, {
            "id": f"be-nis-{nis}", "name": name, "level": "municipality",
            "population": row["population_2020"], "lat": lat, "lon": lon,
            "part_of": f"be-{elz}" if elz else region}))  # fmt: skip
    total = [sum(w[i] for w in weighted.values()) for i in range(3)]
    out["zones"].append(("Belgium", {
        "id": "be", "name": "Belgium", "level": "country", "population": sum(population.values()),
        "lat": round(total[0] / total[2], 4), "lon": round(total[1] / total[2], 4),
        "part_of": None}))  # fmt: skip
    for _, (rid, rname, _langs) in REGIONS.items():
        acc = weighted[rid]
        out["zones"].append(("Belgium", {
            "id": rid, "name": rname, "level": "region", "population": population[rid],
            "lat": round(acc[0] / acc[2], 4), "lon": round(acc[1] / acc[2], 4),
            "part_of": "be"}))  # fmt: skip

    areas = load_areas(folder / POLYGONS, "nis")
    for where, row in wijken:
        nis = row["nis_2019"]
        lat, lon = _float(row.get("centroid_lat", "")), _float(row.get("centroid_lon", ""))
        if nis not in region_of and lat is not None and lon is not None:
            nis = locate(areas, lat, lon) or nis  # an older municipality code: by its centroid
        if nis not in region_of:
            problems.append(f"{where} field nis_2019: no municipality {row['nis_2019']!r}")
            continue
        out["zones"].append((where, {
            "id": f"be-wijk-{row['wijk_code']}", "name": row["wijk_name"],
            "level": "vicinity_network", "population": None, "lat": lat, "lon": lon,
            "part_of": f"be-nis-{nis}"}))  # fmt: skip

    languages = {rid: langs for rid, _, langs in REGIONS.values()}
    for where, row in hospitals:
        lat, lon = _float(row["lat"]), _float(row["lon"])
        nis = locate(areas, lat, lon) if lat is not None and lon is not None else None
        if nis is None:
            problems.append(f"{where} fields lat, lon: not inside any Belgian municipality")
            continue
        aid = f"be-hospital-{row['id']}"
        site = row.get("site_name", "").strip()
        name = row["hospital_name"].strip() + (f" - {site}" if site else "")
        kind = row.get("facility_type", "").lower()
        psychiatric = "psych" in kind and "algemeen" not in kind and "général" not in kind
        elz = elz_of.get(nis)
        covers = [f"be-{elz}" if elz else f"be-nis-{nis}"]
        out["actors"].append((where, {
            "id": aid, "name": name, "kind": "organisation", "line": "second",
            "discipline": "psychiatric_hospital" if psychiatric else "hospital",
            "languages": languages[region_of[nis]], "lat": lat, "lon": lon,
            "zone": f"be-nis-{nis}"}))  # fmt: skip
        beds = _int(row.get("cap_beds", "")) or 0
        care = "psychiatric-hospital-care" if psychiatric else "hospital-care"
        out["services"].append((where, {
            "id": f"{aid}-{care}", "actor": aid, "type": care, "name": f"{name}: hospital beds",
            "capacity": beds, "available": 0, "languages": languages[region_of[nis]],
            "eligibility": [], "status": "active", "covers": covers}))  # fmt: skip
        if row.get("emergency", "").strip().lower() == "yes":
            out["services"].append((where, {
                "id": f"{aid}-emergency-care", "actor": aid, "type": "emergency-care",
                "name": f"{name}: emergency department", "capacity": 0, "available": 0,
                "languages": languages[region_of[nis]], "eligibility": [], "status": "active",
                "covers": covers}))  # fmt: skip
    return dict(out)


def read_belgium(folder: Path | None = None) -> Bundle:
    """Build and check the Belgian bundle; raise InputError (or ConfigError) when impossible."""
    folder = (folder or SHIPPED).resolve()
    problems: list[str] = []
    records = belgium_records(folder, problems)
    return bundle_from_records(folder, records, problems)


# -------------------------------------------------------------------------------- pharmacies
NEAREST_KM = 10.0
PHARMACY_STATUS = {"active": "active", "temporarily_suspended": "paused", "closed": "closed"}


def import_pharmacies(
    path: Path,
    existing: ExistingKeys | None = None,
    candidates: list[dict[str, Any]] | None = None,
    polygons: Path | None = None,
) -> Imported:
    """The AFMPS/FAGG pharmacy list as first-line actors, each with a pharmacy service covering
    its municipality, matched against `candidates` (actors already in the database)."""
    path = Path(path)
    problems: list[str] = []
    rows = _rows(path, problems, ("name", "lat", "lon"))
    if problems:
        raise InputError(problems)
    folder = polygons.parent if polygons else SHIPPED
    areas = load_areas(polygons or folder / POLYGONS, "nis")
    centroids = [(r["nis"], _float(r["centroid_lat"]), _float(r["centroid_lon"]))
                 for _, r in _rows(folder / MUNICIPALITIES, problems, ("nis",))]  # fmt: skip
    report = ImportReport(str(path))
    report.read["pharmacy"] = len(rows)
    records: dict[str, list[Record]] = defaultdict(list)
    for where, row in rows:
        lat, lon = _float(row["lat"]), _float(row["lon"])
        if lat is None or lon is None:
            report.skip("pharmacy without coordinates", where)
            continue
        nis = locate(areas, lat, lon)
        if nis is None:  # just outside the (simplified) borders: the nearest municipality
            km, nis = min((distance_km(lat, lon, y, x), n) for n, y, x in centroids if y and x)
            if km > NEAREST_KM:
                report.skip("pharmacy with coordinates outside Belgium", where)
                continue
            report.note("pharmacy just outside the municipality borders (nearest one)", where)
        status = PHARMACY_STATUS.get(row.get("status", "active").strip().lower())
        if status is None:
            report.skip(f"unknown pharmacy status {row.get('status')!r}", where)
            continue
        authorisation = identifier_value("afmps", row.get("authorization_id", ""))
        key = authorisation or f"{slug(row['name'], 40)}-{lat:.4f}-{lon:.4f}"
        aid = f"be-pharmacy-{key}"
        name = row["name"].strip()
        records["actors"].append((where, {
            "id": aid, "name": name, "kind": "organisation", "line": "first",
            "discipline": "pharmacy", "languages": [], "lat": lat, "lon": lon,
            "zone": f"be-nis-{nis}"}))  # fmt: skip
        if authorisation:
            records["actor_identifiers"].append(
                (where, {"actor": aid, "scheme": "afmps", "value": authorisation})
            )
        kbo = identifier_value("kbo", row.get("holder_kbo", ""))
        if kbo:
            records["actor_identifiers"].append(
                (where, {"actor": aid, "scheme": "kbo", "value": kbo})
            )
        records["services"].append((where, {
            "id": f"{aid}-pharmacy", "actor": aid, "type": "pharmacy",
            "name": f"Pharmaceutical care - {name}", "capacity": None, "available": 0,
            "languages": [], "eligibility": [], "status": status,
            "covers": [f"be-nis-{nis}"]}))  # fmt: skip
    _dedupe_within(records, report)
    needed = {z for _, a in records["actors"] for z in [a["zone"]]}
    missing = needed - (existing("zones", needed) if existing else set())
    if missing:
        raise InputError([
            f"{path.name}: {len(missing)} municipalities of the pharmacies are not in the "
            f"database (e.g. {', '.join(sorted(missing)[:3])}): run `graphsvc load belgium` first"
        ])  # fmt: skip
    matched = match_records(records, candidates or [])
    report.mapped.update({k: len(v) for k, v in records.items() if v})
    bundle = bundle_from_records(path, dict(records), [], existing)
    return Imported(bundle, report, matched)


def _dedupe_within(records: dict[str, list[Record]], report: ImportReport) -> None:
    """The same pharmacy twice in one list (same authorisation number): keep the first."""
    seen: set[str] = set()
    first: dict[str, str] = {}
    kept = []
    for where, actor in records["actors"]:
        if actor["id"] in seen:
            report.skip("the same pharmacy twice in the list (first kept)", where)
            continue
        seen.add(actor["id"])
        first[actor["id"]] = where
        kept.append((where, actor))
    if len(kept) == len(records["actors"]):
        return
    records["actors"] = kept
    for table in ("services", "actor_identifiers"):
        records[table] = [(w, r) for w, r in records[table] if first.get(r.get("actor", "")) == w]
