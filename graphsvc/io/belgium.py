"""Real Belgian geography as it is in 2025 and second-line actors, built from public open data.

`graphsvc load belgium` builds: Belgium > regions (Vlaanderen, Wallonie, Brussel) > the 56
Flemish primary care zones (eerstelijnszones, ELZ, as redrawn for 2025) and Brussels' one zone
> municipalities (565, with the 2025 NIS codes and their population on 1/1/2020 aggregated over
the merged 2019 municipalities, 11,492,641 in all) > neighbourhoods (2,730 wijken of Flanders
and Brussels, as vicinity networks). Wallonia has provinces > arrondissements > municipalities.
Every zone but the neighbourhoods (centroids only) carries its polygon (`load_belgium` writes
them; graphsvc/io/geometry.py). The 30 2019 codes of merged municipalities are aliases of their
2025 municipality (`Zone.aliases`): `be-nis-23023` (Galmaarden) resolves to `be-nis-23106`
(Pajottegem). The 272 hospital sites become second-line actors with a hospital-care (or
psychiatric) service sized by their beds, and an emergency service where they have one. The
demo vocabulary of service and need types comes along, so gap queries run on this geography.

The permissively licensed files it needs ship in `graphsvc/opendata/belgium` (origins and
licences in `graphsvc/opendata/NOTICE.md`); the pharmacy list (non-commercial) does not. The
2025 mergers are public law (Flemish and Walloon merger decrees, NIS codes by Statbel) and are
written out below (`MERGERS_2025`), checked against ../shared/data by the tests.
Ids: `be`, `vlaanderen`, `wallonie`, `brussel` (shared with the demo seeds), `be-elzN`,
`be-prov-NNNNN`, `be-arr-NNNNN`, `be-nis-NNNNN`, `be-wijk-NNNNNNN`, `be-hospital-N`.

`import_pharmacies` reads the AFMPS/FAGG pharmacy list (same folder; non-commercial licence,
so it is only read, never shipped) as first-line actors matched against those already there.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shapely

from graphsvc.core.coverage import distance_km
from graphsvc.errors import InputError
from graphsvc.io.bundle import Bundle, ExistingKeys, Record, bundle_from_records
from graphsvc.io.geo import load_areas, locate
from graphsvc.io.geometry import ShapeError, polygon_from_geojson, read_features, shape_rows
from graphsvc.io.mapping import Imported, ImportReport, identifier_value, read_csv_records, slug
from graphsvc.io.matching import MatchContext, match_records
from graphsvc.vocab import NEED_TYPES, SERVICE_TYPES

REPO = Path(__file__).resolve().parents[2]
SHIPPED = Path(__file__).resolve().parents[1] / "opendata" / "belgium"
MUNICIPALITIES = "belgium_municipalities_2020_centroids.csv"
POLYGONS = "belgium_municipalities_2019_pop2020.geojson"
ELZ = "eerstelijnszones.csv"
ELZ_POLYGONS = "eerstelijnszones.geojson"
MUNICIPALITY_ELZ = "municipality_to_elz_2025.csv"
WIJKEN = "wijken_ggw7_2024_centroids.csv"
HOSPITALS = "hospitals_be_eurostat_2020.csv"
PHARMACIES = "pharmacies_be_afmps_2022-03.csv"
REGIONS = {  # reg_nis -> (id, name, languages)
    "02000": ("vlaanderen", "Vlaanderen", ["nl"]),
    "03000": ("wallonie", "Wallonie", ["fr"]),
    "04000": ("brussel", "Brussel / Bruxelles", ["fr", "nl"]),
}
WALLOON_PROVINCES = {  # first digits of the arrondissement's NIS code -> (province NIS, name)
    "25": ("25000", "Brabant wallon"),
    "5": ("50000", "Hainaut"),
    "6": ("60000", "Liège"),
    "8": ("80000", "Luxembourg"),
    "9": ("90000", "Namur"),
}
BRUSSELS_ELZ_PROVINCE = "4000"
EXTRA_SERVICE_TYPES = (("emergency-care", "Emergency department", "hospital", "hospital-care"),)
# The municipal mergers of 1 January 2025: (2019 NIS code, 2025 NIS code, 2025 name).
MERGERS_2025: tuple[tuple[str, str, str], ...] = (
    ("11002", "11002", "Antwerpen"), ("11007", "11002", "Antwerpen"),
    ("23023", "23106", "Pajottegem"), ("23024", "23106", "Pajottegem"),
    ("23032", "23106", "Pajottegem"),
    ("37012", "37021", "Wingene"), ("37018", "37021", "Wingene"),
    ("37007", "37022", "Tielt"), ("37015", "37022", "Tielt"),
    ("44012", "44086", "Nazareth-De Pinte"), ("44048", "44086", "Nazareth-De Pinte"),
    ("44034", "44087", "Lochristi"), ("44073", "44087", "Lochristi"),
    ("46014", "46029", "Lokeren"), ("44045", "46029", "Lokeren"),
    ("44040", "44088", "Merelbeke-Melle"), ("44043", "44088", "Merelbeke-Melle"),
    ("46003", "46030", "Beveren-Kruibeke-Zwijndrecht"),
    ("46013", "46030", "Beveren-Kruibeke-Zwijndrecht"),
    ("11056", "46030", "Beveren-Kruibeke-Zwijndrecht"),
    ("73006", "73110", "Bilzen-Hoeselt"), ("73032", "73110", "Bilzen-Hoeselt"),
    ("73009", "73111", "Tongeren-Borgloon"), ("73083", "73111", "Tongeren-Borgloon"),
    ("71069", "71071", "Tessenderlo-Ham"), ("71057", "71071", "Tessenderlo-Ham"),
    ("71022", "71072", "Hasselt"), ("73040", "71072", "Hasselt"),
    ("82003", "82039", "Bastogne"), ("82005", "82039", "Bastogne"),
)  # fmt: skip
# The mergers of 1 January 2019 still used by some published tables (the neighbourhood table
# names Aalter, Deinze, Lievegem and Kruisem by their former municipalities): older code ->
# 2019 code. Checked in the tests against the neighbourhoods' centroids.
MERGERS_2019: tuple[tuple[str, str, str], ...] = (
    ("44001", "44084", "Aalter"), ("44029", "44084", "Aalter"),
    ("44011", "44083", "Deinze"), ("44049", "44083", "Deinze"),
    ("44036", "44085", "Lievegem"), ("44072", "44085", "Lievegem"),
    ("44080", "44085", "Lievegem"),
    ("45017", "45068", "Kruisem"), ("45057", "45068", "Kruisem"),
)  # fmt: skip
# Codes that published tables use for a municipality but that no municipality has ever had
# (typing errors of the publisher), with the municipality they mean: the neighbourhood table
# (wijken_ggw7_2024) gives Westerlo's 8 neighbourhoods (wijk codes 1104901..08) the code 11049
# instead of 13049. Arrondissement 11 (Antwerpen) has no municipality 11049 in any year,
# Westerlo (arrondissement 13, Turnhout) has no other neighbourhood in the table, the 8
# centroids lie inside Westerlo's polygon and the table's own primary care zone for them (elz56,
# Zuiderkempen) is Westerlo's; the table itself placed them by centroid (elz_method
# centroid_in_polygon). Checked in the tests. Stored as aliases like the older codes.
MISCODED: tuple[tuple[str, str, str], ...] = (("11049", "13049", "Westerlo"),)
NIS_2019 = {old: new for old, new, _ in MERGERS_2019 + MISCODED}
NIS_2025 = {old: new for old, new, _ in MERGERS_2025}


def nis_2025(nis: str) -> str:
    """The 2025 NIS code of a municipality given by its 2019 (or already 2025) code, an older
    code of MERGERS_2019, or a published error of MISCODED."""
    nis = NIS_2019.get(nis, nis)
    return NIS_2025.get(nis, nis)


def zone_aliases() -> dict[str, str]:
    """Zone id of each merged municipality whose code changed (2019, and the older codes of
    MERGERS_2019), and of each MISCODED code -> its 2025 zone id."""
    olds = [old for old, _, _ in MERGERS_2025 + MERGERS_2019 + MISCODED]
    return {f"be-nis-{old}": f"be-nis-{nis_2025(old)}" for old in olds if nis_2025(old) != old}


def alias_note(code: str, zone: str) -> str:
    """What an import reports when it resolves the alias `code` to `zone`."""
    if code in {f"be-nis-{old}" for old, _, _ in MISCODED}:
        return (f"parent code that no municipality has had, a known error of a published table, "
                f"read as the municipality it means ({code} is {zone})")  # fmt: skip
    if code.startswith("be-nis-"):
        return f"parent code of a merged municipality resolved ({code} is now {zone})"
    return f"parent code resolved to its current zone ({code} is now {zone})"


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


def _mean(points: list[tuple[float, float, float]]) -> tuple[float | None, float | None]:
    """The weighted mean (lat, lon) of (weight, lat, lon) points, rounded to 6 decimals."""
    total = sum(w for w, _, _ in points)
    if not total:
        return None, None
    lat = sum(w * y for w, y, _ in points) / total
    lon = sum(w * x for w, _, x in points) / total
    return round(lat, 6), round(lon, 6)


def belgium_records(folder: Path, problems: list[str]) -> dict[str, list[Record]]:
    """The bundle records of Belgium's 2025 geography and hospitals from the files in folder."""
    out: dict[str, list[Record]] = defaultdict(list)
    for code, name, category, broader in SERVICE_TYPES + EXTRA_SERVICE_TYPES:
        row = {"code": code, "name": name, "category": category, "broader": broader or None}
        out["service_types"].append(("graphsvc vocabulary", row))
    for code, name, domain, met_by in NEED_TYPES:
        row = {"code": code, "name": name, "domain": domain, "met_by": list(met_by)}
        out["need_types"].append(("graphsvc vocabulary", row))

    municipalities = _rows(folder / MUNICIPALITIES, problems,
                           ("nis", "name_nl", "name_fr", "reg_nis", "arr_nis",
                            "population_2020"))  # fmt: skip
    links = _rows(folder / MUNICIPALITY_ELZ, problems,
                  ("nis_2025", "municipality_name", "elz_code", "is_technical_code"))  # fmt: skip
    elz_rows = _rows(folder / ELZ, problems, ("elz_code", "elz_name", "province_nis"))
    wijken = _rows(folder / WIJKEN, problems, ("wijk_code", "wijk_name", "nis_2019"))
    hospitals = _rows(folder / HOSPITALS, problems, ("id", "hospital_name", "lat", "lon"))
    if problems:
        return {}

    elz_of = {r["nis_2025"]: r["elz_code"] for _, r in links if r["is_technical_code"] == "0"}
    name_2025 = {r["nis_2025"]: r["municipality_name"].strip() for _, r in links}
    name_2025.update({new: name for _, new, name in MERGERS_2025})
    used_elz = set(elz_of.values())
    elz_region: dict[str, str] = {}
    for _, row in elz_rows:
        code = row["elz_code"]
        if code not in used_elz:
            continue  # technical codes ("not localisable", "outside Flanders and Brussels")
        region = "brussel" if row["province_nis"] == BRUSSELS_ELZ_PROVINCE else "vlaanderen"
        elz_region[code] = region

    # The 2019 municipalities, grouped by their 2025 code.
    parts: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for where, row in municipalities:
        parts[nis_2025(row["nis"])].append((where, row))
    arr_names = _arrondissement_names(folder / POLYGONS)
    region_of: dict[str, str] = {}
    population: dict[str, int] = defaultdict(int)
    centre: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    walloon: dict[str, int] = defaultdict(int)  # arrondissement / province id -> population
    for nis, olds in sorted(parts.items()):
        where, first = olds[0]
        elz = elz_of.get(nis)
        # The ELZ decides Flanders/Brussels (the municipality file puts Mesen in Wallonia).
        region = elz_region[elz] if elz else REGIONS.get(first["reg_nis"], ("",))[0]
        if not region:
            problems.append(f"{where} field reg_nis: unknown region {first['reg_nis']!r}")
            continue
        region_of[nis] = region
        people = sum(_int(r["population_2020"]) or 0 for _, r in olds)
        points = [(float(_int(r["population_2020"]) or 0), y, x) for _, r in olds
                  for y, x in [(_float(r.get("centroid_lat", "")),
                                _float(r.get("centroid_lon", "")))]
                  if y is not None and x is not None]  # fmt: skip
        lat, lon = (
            (_float(first["centroid_lat"]), _float(first["centroid_lon"]))
            if len(olds) == 1
            else _mean(points)
        )
        name = _municipality_name(first, region) if len(olds) == 1 else name_2025[nis]
        population[region] += people
        centre[region] += [(float(people), lat, lon)] if lat is not None and lon else []
        parent = f"be-{elz}" if elz else region
        if region == "wallonie":
            arr = first["arr_nis"]
            parent = f"be-arr-{arr}"
            walloon[parent] += people
            walloon[_province_of(arr)[0]] += people
            centre[parent].append((float(people), lat, lon))
        out["zones"].append((where, {
            "id": f"be-nis-{nis}", "name": name, "level": "municipality",
            "population": people, "lat": lat, "lon": lon, "part_of": parent}))  # fmt: skip

    for where, row in elz_rows:
        code = row["elz_code"]
        if code in elz_region:
            out["zones"].append((where, {
                "id": f"be-{code}", "name": row["elz_name"], "level": "primary_care_zone",
                "population": _int(row.get("population_2020", "")),
                "lat": _float(row.get("centroid_lat", "")),
                "lon": _float(row.get("centroid_lon", "")),
                "part_of": elz_region[code]}))  # fmt: skip
    provinces_seen: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for zid in sorted(z for z in walloon if z.startswith("be-arr-")):
        arr = zid.removeprefix("be-arr-")
        pid, _pname = _province_of(arr)
        lat, lon = _mean(centre[zid])
        provinces_seen[pid].append((float(walloon[zid]), lat or 0.0, lon or 0.0))
        out["zones"].append((MUNICIPALITIES, {
            "id": zid, "name": arr_names.get(arr, f"Arrondissement {arr}"),
            "level": "arrondissement", "population": walloon[zid], "lat": lat, "lon": lon,
            "part_of": pid}))  # fmt: skip
    for pid, points in sorted(provinces_seen.items()):
        lat, lon = _mean(points)
        name = next(n for c, n in WALLOON_PROVINCES.values() if f"be-prov-{c}" == pid)
        out["zones"].append((MUNICIPALITIES, {
            "id": pid, "name": name, "level": "province", "population": walloon[pid],
            "lat": lat, "lon": lon, "part_of": "wallonie"}))  # fmt: skip
    everyone = [p for r in ("vlaanderen", "wallonie", "brussel") for p in centre[r]]
    lat, lon = _mean(everyone)
    out["zones"].append(("Belgium", {
        "id": "be", "name": "Belgium", "level": "country", "population": sum(population.values()),
        "lat": round(lat or 0, 4), "lon": round(lon or 0, 4), "part_of": None}))  # fmt: skip
    for _, (rid, rname, _langs) in REGIONS.items():
        lat, lon = _mean(centre[rid])
        out["zones"].append(("Belgium", {
            "id": rid, "name": rname, "level": "region", "population": population[rid],
            "lat": round(lat or 0, 4), "lon": round(lon or 0, 4), "part_of": "be"}))  # fmt: skip

    areas = load_areas(folder / POLYGONS, "nis")
    for where, row in wijken:
        nis = row["nis_2019"]
        lat, lon = _float(row.get("centroid_lat", "")), _float(row.get("centroid_lon", ""))
        if nis_2025(nis) not in region_of and lat is not None and lon is not None:
            nis = locate(areas, lat, lon) or nis  # an older municipality code: by its centroid
        nis = nis_2025(nis)
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
        nis = nis_2025(nis)
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


def _municipality_name(row: dict[str, str], region: str) -> str:
    nl, fr = row["name_nl"].strip(), row["name_fr"].strip()
    return {"vlaanderen": nl, "wallonie": fr}.get(region) or (nl if nl == fr else f"{fr} / {nl}")


def _province_of(arr_nis: str) -> tuple[str, str]:
    """(zone id, name) of the Walloon province of an arrondissement NIS code."""
    code, name = WALLOON_PROVINCES.get(arr_nis[:2]) or WALLOON_PROVINCES[arr_nis[:1]]
    return f"be-prov-{code}", name


def _arrondissement_names(path: Path) -> dict[str, str]:
    """Arrondissement NIS code -> French name (the polygon file's arr_fr)."""
    if not path.is_file():
        return {}
    features = json.loads(path.read_text(encoding="utf-8")).get("features", [])
    return {f["properties"]["arr_nis"]: f["properties"]["arr_fr"] for f in features
            if f["properties"].get("arr_fr")}  # fmt: skip


def belgium_shapes(
    folder: Path, zones: list[dict[str, Any]], problems: list[str], notes: list[str]
) -> list[dict[str, Any]]:
    """`set_zone_shapes` rows for Belgium's zones: the 2019 municipality polygons (repaired
    where invalid) united per 2025 municipality, the ELZ polygons as published, and every larger
    zone (arrondissement, province, region, country) as the union of its municipalities."""
    by_nis: dict[str, list[shapely.Geometry]] = defaultdict(list)
    path = folder / POLYGONS
    for n, feature in enumerate(_features(path, problems), start=1):
        try:
            geom, repaired = polygon_from_geojson(feature.get("geometry"))
        except ShapeError as exc:
            problems.append(f"{path.name} feature {n} field geometry: {exc}")
            continue
        nis = str(feature.get("properties", {}).get("nis", ""))
        if repaired:
            notes.append(f"{path.name} feature {n} (NIS {nis}): invalid polygon repaired")
        by_nis[nis_2025(nis)].append(geom)
    shapes: dict[str, shapely.Geometry] = {
        f"be-nis-{nis}": shapely.coverage_union_all(g) if len(g) > 1 else g[0]
        for nis, g in by_nis.items()
    }
    path = folder / ELZ_POLYGONS
    for n, feature in enumerate(_features(path, problems), start=1):
        code = str(feature.get("properties", {}).get("elz_code", ""))
        try:
            geom, repaired = polygon_from_geojson(feature.get("geometry"))
        except ShapeError as exc:
            problems.append(f"{path.name} feature {n} field geometry: {exc}")
            continue
        if repaired:
            notes.append(f"{path.name} feature {n} ({code}): invalid polygon repaired")
        shapes[f"be-{code}"] = geom
    parent = {z["id"]: z["part_of"] for z in zones}
    members: dict[str, list[shapely.Geometry]] = defaultdict(list)
    for zid, geom in shapes.items():
        if not zid.startswith("be-nis-"):
            continue
        above = parent.get(zid)
        while above is not None:
            if not above.startswith("be-elz"):
                members[above].append(geom)
            above = parent.get(above)
    for zid, geoms in members.items():
        shapes[zid] = shapely.make_valid(shapely.union_all(geoms))
    known = set(parent)
    kept = sorted(z for z in shapes if z in known)
    return shape_rows(kept, [shapes[z] for z in kept])


def _features(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    try:
        return read_features(path)
    except ShapeError as exc:
        problems.append(str(exc))
        return []


def alias_rows() -> list[dict[str, Any]]:
    """`set_zone_aliases` rows: each 2025 municipality with the 2019 zone ids merged into it."""
    by_new: dict[str, list[str]] = defaultdict(list)
    for old, new in zone_aliases().items():
        by_new[new].append(old)
    return [{"id": new, "aliases": sorted(olds)} for new, olds in sorted(by_new.items())]


def read_belgium(folder: Path | None = None) -> Bundle:
    """Build and check the Belgian bundle; raise InputError (or ConfigError) when impossible."""
    folder = (folder or SHIPPED).resolve()
    problems: list[str] = []
    records = belgium_records(folder, problems)
    return bundle_from_records(folder, records, problems)


def load_belgium(
    store: Any,
    write: Callable[[Bundle], None],
    folder: Path | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> Bundle:
    """Check and load the 2025 geography: the bundle (through `write`), then the polygons and
    the aliases of the merged 2019 municipalities. Nothing is written if anything is wrong."""
    from graphsvc.io.zone_store import write_aliases, write_shapes

    folder = (folder or SHIPPED).resolve()
    bundle = read_belgium(folder)
    problems: list[str] = []
    notes: list[str] = []
    shapes = belgium_shapes(folder, bundle.tables["zones"], problems, notes)
    if problems:
        raise InputError(problems)
    write(bundle)
    write_shapes(store, shapes)
    write_aliases(store, alias_rows())
    for note in notes:
        say(note)
    aliases = len(zone_aliases()) - len(MISCODED)
    say(f"polygons for {len(shapes):,} zones; {aliases} older municipality codes are aliases, "
        f"and {len(MISCODED)} code of a published table's error")  # fmt: skip
    return bundle


# -------------------------------------------------------------------------------- pharmacies
NEAREST_KM = 10.0
PHARMACY_STATUS = {"active": "active", "temporarily_suspended": "paused", "closed": "closed"}


PHARMACY_COLUMNS = {
    "authorization_id", "id", "name", "address", "street", "housenumber", "postcode",
    "municipality", "city", "status", "lat", "lon", "lambert2008_x", "lambert2008_y",
    "holder_name", "holder_kbo", "operator_name", "operator_kbo", "phone", "url", "website",
}  # fmt: skip
MAX_SOURCE_ID = 64


def import_pharmacies(
    path: Path,
    existing: ExistingKeys | None = None,
    candidates: Any = None,
    polygons: Path | None = None,
    source: str | None = None,
    rejects: list[tuple[str, str, str]] | None = None,
) -> Imported:
    """The AFMPS/FAGG pharmacy list, or any list with at least `name,lat,lon`, as first-line
    actors, each with a pharmacy service covering its municipality, matched against
    `candidates` (actors already in the database: a list, or a matching.MatchContext).

    Source id: `authorization_id`, else an `id` column, else the row number. With `rejects`
    (lenient mode) a row with a bad field is left out and appended there as (where, field,
    reason); without it any bad row refuses the whole list.
    """
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
    columns = set(rows[0][1]) if rows else set()
    afmps = "authorization_id" in columns
    for column in sorted(columns - PHARMACY_COLUMNS):
        report.note(f"unknown column {column[:40]!r} (not read)", f"{path.name} row 1")
    prefix = slug(source if source is not None else path.stem, 40) or "list"
    records: dict[str, list[Record]] = defaultdict(list)
    extra: dict[str, dict[str, Any]] = {}
    bad: list[str] = []

    def refuse(where: str, name: str, reason: str) -> None:
        if rejects is not None:
            rejects.append((where, name, reason))
            report.skip(f"invalid {name} ({reason.split(':')[0]})", where)
        else:
            bad.append(f"{where} field {name}: {reason}")

    for where, row in rows:
        name = (row.get("name") or "").strip()
        lat, lon = _float(row["lat"]), _float(row["lon"])
        if not name:
            refuse(where, "name", "required, but empty")
            continue
        if len(name) > 200:
            refuse(where, "name", f"longer than 200 characters ({len(name):,})")
            continue
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            which = "lat" if lat is None or not -90 <= lat <= 90 else "lon"
            refuse(where, which, f"{row[which][:30]!r} is not a coordinate in range")
            continue
        nis = locate(areas, lat, lon)
        nis = nis_2025(nis) if nis else None
        if nis is None:  # just outside the (simplified) borders: the nearest municipality
            km, nis = min((distance_km(lat, lon, y, x), n) for n, y, x in centroids if y and x)
            nis = nis_2025(nis)
            if km > NEAREST_KM:
                report.skip("pharmacy with coordinates outside Belgium", where)
                continue
            report.note("pharmacy just outside the municipality borders (nearest one)", where)
        status = PHARMACY_STATUS.get((row.get("status") or "active").strip().lower())
        if status is None:
            refuse(where, "status", f"unknown pharmacy status {row.get('status', '')[:30]!r}")
            continue
        authorisation = identifier_value("afmps", row.get("authorization_id", ""))
        own_id = (row.get("id") or "").strip()
        if own_id and (len(own_id) > MAX_SOURCE_ID or not slug(own_id)):
            refuse(where, "id", f"not a usable id (1 to {MAX_SOURCE_ID} letters or digits)")
            continue
        if authorisation:
            aid = f"be-pharmacy-{authorisation}"
        elif afmps:  # the AFMPS list without a number: as before, by name and place
            aid = f"be-pharmacy-{slug(name, 40)}-{lat:.4f}-{lon:.4f}"
        else:
            aid = f"be-pharmacy-{prefix}-{slug(own_id, 40) if own_id else where.split()[-1]}"
        records["actors"].append((where, {
            "id": aid, "name": name, "kind": "organisation", "line": "first",
            "discipline": "pharmacy", "languages": [], "lat": lat, "lon": lon,
            "zone": f"be-nis-{nis}"}))  # fmt: skip
        address = (
            row.get("address")
            or " ".join(filter(None, [row.get("street", ""), row.get("housenumber", "")]))
        ).strip()
        extra[aid] = {k: v for k, v in (("address", address), ("phone", row.get("phone", "")),
                      ("url", row.get("url") or row.get("website", ""))) if v}  # fmt: skip
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
    if bad:
        raise InputError(bad[:100] + ([f"... and {len(bad) - 100:,} more"] if len(bad) > 100
                                      else []))  # fmt: skip
    _dedupe_within(records, report)
    needed = {z for _, a in records["actors"] for z in [a["zone"]]}
    missing = needed - (existing("zones", needed) if existing else set())
    if missing:
        raise InputError([
            f"{path.name}: {len(missing)} municipalities of the pharmacies are not in the "
            f"database (e.g. {', '.join(sorted(missing)[:3])}): run `graphsvc load belgium` first"
        ])  # fmt: skip
    if isinstance(candidates, MatchContext) and candidates.source and candidates.kind is None:
        candidates.kind = "afmps" if afmps else "list"
    matched = match_records(records, candidates or [], extra)
    report.mapped.update({k: len(v) for k, v in records.items() if v})
    bundle = bundle_from_records(path, dict(records), [], existing)
    return Imported(bundle, report, matched, extra)


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
