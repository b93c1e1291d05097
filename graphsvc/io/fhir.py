"""FHIR R4 import: a Bundle (or one resource) of Organization, HealthcareService, Location and
PractitionerRole (Practitioner for names), each parsed and validated with `fhir.resources`.

`fhir.resources` ships R5 as its default and R4B (4.3) as the R4-compatible package; these
four resources are the same in R4 and R4B, so R4 documents are validated with the R4B models.

Mapping (FHIR -> graph):
- Organization -> Actor (organisation); PractitionerRole -> Actor (professional, first line,
  discipline from its code or specialty, named after its Practitioner). Belgian identifiers
  (NIHDI/RIZIV/INAMI, KBO/CBE/BCE) are kept as actor properties. Coordinates come from a
  Location the organisation manages, or the role's first location.
- HealthcareService -> Service: providedBy (the provider), type (the first coding is its
  service type, all of them its classifications), coverageArea (zones), communication
  (languages), eligibility (tags), active (active or closed). FHIR has no capacity: 0.
- A Location used as a coverage area is a zone: an existing Belgian municipality when it carries
  a NIS code (`be-nis-NNNNN`), else a zone of its own under the import's zone.
Any other resource type is skipped and reported; an invalid resource stops the import.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from graphsvc.errors import InputError
from graphsvc.io.bundle import ExistingKeys, Record, bundle_from_records
from graphsvc.io.fhir_entries import Entries, entries_of
from graphsvc.io.mapping import (
    Imported,
    ImportReport,
    eligibility_tag,
    identifier_scheme,
    identifier_value,
    language_codes,
    prefixed,
    records_count,
    slug,
    valid_code,
)
from graphsvc.io.matching import match_records

MAX_JSON_BYTES = 64 * 1024 * 1024
SUPPORTED = ("Organization", "HealthcareService", "Location", "PractitionerRole", "Practitioner")
UNCLASSIFIED = "unclassified"
NIS_WORDS = {"nis", "statbel", "refnis", "ins", "nis5"}


def _model(resource_type: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type)


def read_fhir(
    path: Path, problems: list[str], report: ImportReport, entries: Entries | None = None
) -> list[tuple[str, Any]]:
    """The supported resources of a FHIR JSON file, or of a folder of them (searchset pages),
    validated (where each came from, model); `entries` receives what the documents said
    beside the resources (deletes, statuses; see io/fhir_entries.py)."""
    from pydantic import ValidationError

    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            problems.append(f"{path}: a folder without .json files")
    elif path.is_file():
        files = [path]
    else:
        problems.append(f"{path}: no such file")
        return []
    documents = [(f.name, d) for f in files if (d := _document(f, problems)) is not None]
    for name, data in documents:
        if data["resourceType"] == "Bundle":
            try:
                _model("Bundle").model_validate({**data, "entry": []})
            except ValidationError as exc:
                problems += _validation_problems(f"{name} Bundle", exc)
    if problems:
        return []
    found_entries = entries_of(documents, problems, report)
    if entries is not None:
        entries.__dict__.update(found_entries.__dict__)
    found = []
    for where, resource in found_entries.resources:
        kind = str(resource.get("resourceType"))
        report.read[kind] += 1
        where = f"{where} {kind}/{resource.get('id', '?')}"
        if kind not in SUPPORTED:
            report.skip(f"unsupported FHIR resource type {kind}", where)
            continue
        try:
            found.append((where, _model(kind).model_validate(resource)))
        except ValidationError as exc:
            problems += _validation_problems(where, exc)
    return found


def _document(path: Path, problems: list[str]) -> dict[str, Any] | None:
    """One JSON document holding a FHIR resource, or None (with the problem)."""
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        problems.append(f"{path}: larger than {MAX_JSON_BYTES // 2**20} MB, refused")
        return None
    with path.open("rb") as handle:
        start = handle.read(4096).lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
    if not start.startswith(b"{"):
        problems.append(f"{path}: not FHIR JSON (a JSON object expected)")
        return None
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    except json.JSONDecodeError as exc:
        problems.append(f"{path}: broken JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
        return None
    except ValueError:  # an integer literal of more than 4,300 digits
        problems.append(f"{path}: a number with more than 4,300 digits (not a FHIR value)")
        return None
    if not isinstance(data, dict) or "resourceType" not in data:
        problems.append(f"{path.name}: not a FHIR resource (no resourceType)")
        return None
    return data


def _validation_problems(where: str, exc: Any) -> list[str]:
    out = []
    for error in exc.errors()[:10]:
        field = ".".join(str(p) for p in error.get("loc", ())) or "(resource)"
        out.append(f"{where} field {field}: {error.get('msg')}")
    return out


def _ref_id(reference: Any, kind: str) -> str | None:
    """The id in 'Kind/id' (relative references only)."""
    text = getattr(reference, "reference", None) or ""
    parts = text.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == kind:
        return parts[-1]
    return None


def _codings(concepts: Any) -> list[tuple[str, str]]:
    """(code, display) of every coding (or text) of CodeableConcepts."""
    found = []
    for concept in concepts or []:
        for coding in concept.coding or []:
            if coding.code:
                found.append((str(coding.code), coding.display or concept.text or str(coding.code)))
        if not concept.coding and concept.text:
            found.append((slug(concept.text), concept.text))
    return found


def _identifiers(identifiers: Any) -> dict[str, str]:
    found = {}
    for identifier in identifiers or []:
        type_text = identifier.type.text if identifier.type else None
        codes = [c.code for c in (identifier.type.coding if identifier.type else None) or []]
        scheme = identifier_scheme(identifier.system, type_text, *codes)
        value = identifier_value(scheme, identifier.value or "") if scheme else None
        if scheme and value and scheme not in found:
            found[scheme] = value
    return found


def _position(location: Any) -> tuple[float | None, float | None]:
    position = getattr(location, "position", None)
    if position is None or position.latitude is None or position.longitude is None:
        return None, None
    return float(position.latitude), float(position.longitude)


def _nis(location: Any) -> str | None:
    """A Belgian municipality (NIS/INS) code among the location's identifiers."""
    for identifier in location.identifier or []:
        words = set(re.split(r"[^a-z0-9]+", (identifier.system or "").lower()))
        value = (identifier.value or "").strip()
        if words & NIS_WORDS and value.isdigit() and len(value) == 5:
            return value
    return None


def map_fhir(
    resources: list[tuple[str, Any]],
    prefix: str,
    title: str,
    report: ImportReport,
    zone: str | None = None,
    existing: ExistingKeys | None = None,
    status: dict[tuple[str, str], str] | None = None,
) -> dict[str, list[Record]]:
    """Bundle records from validated FHIR resources; what cannot be mapped goes in the report."""
    pid = lambda raw: prefixed(prefix, raw)  # noqa: E731
    by_kind: dict[str, dict[str, tuple[str, Any]]] = defaultdict(dict)
    for where, resource in resources:  # every resource has an id (io/fhir_entries.py)
        by_kind[resource.get_resource_type()][str(resource.id)] = (where, resource)
    out: dict[str, list[Record]] = defaultdict(list)
    root = zone or prefix or "fhir"

    # Zones: Locations used as coverage areas (or parents of locations).
    area_ids: set[str] = set()
    for _, service in by_kind["HealthcareService"].values():
        area_ids |= {i for i in (_ref_id(r, "Location") for r in service.coverageArea or []) if i}
    for _, location in by_kind["Location"].values():
        if location.partOf is not None and _ref_id(location.partOf, "Location"):
            area_ids.add(_ref_id(location.partOf, "Location"))
    zone_of: dict[str, str] = {}
    for lid in sorted(area_ids):
        if lid not in by_kind["Location"]:
            continue
        location = by_kind["Location"][lid][1]
        nis = _nis(location)
        zone_of[lid] = f"be-nis-{nis}" if nis else (pid(lid) or "")
    wanted = set(zone_of.values()) | {root}
    in_db = existing("zones", wanted) if existing else set()
    made: set[str] = set()
    for lid, zid in sorted(zone_of.items()):
        where, location = by_kind["Location"][lid]
        if zid in in_db or zid in made:
            continue
        if zid.startswith("be-nis-"):
            report.note("coverage area naming a municipality not in the database (made)", where)
        lat, lon = _position(location)
        parent = _ref_id(location.partOf, "Location") if location.partOf else None
        out["zones"].append((where, {
            "id": zid, "name": location.name or lid, "lat": lat, "lon": lon,
            "level": "municipality" if zid.startswith("be-nis-") else "region",
            "part_of": zone_of.get(parent or "", root) if zid != root else None}))  # fmt: skip
        made.add(zid)
    if root not in in_db and root not in made:
        out["zones"].append((title, {"id": root, "name": title or root, "level": "region"}))

    # Where each organisation is: the first Location it manages.
    managed: dict[str, Any] = {}
    for _, location in by_kind["Location"].values():
        org = _ref_id(location.managingOrganization, "Organization")
        if org and org not in managed and _position(location)[0] is not None:
            managed[org] = location

    actor_of: dict[tuple[str, str], str] = {}
    for oid, (where, org) in by_kind["Organization"].items():
        aid = pid(oid)
        if aid is None or not org.name:
            report.skip("Organization without a usable id or a name", where)
            continue
        actor_of[("Organization", oid)] = aid
        location = managed.get(oid)
        lat, lon = _position(location) if location is not None else (None, None)
        home = _ref_id(location.partOf, "Location") if location is not None else None
        kinds = _codings(org.type)
        out["actors"].append((where, {
            "id": aid, "name": org.name, "kind": "organisation", "line": "first",
            "discipline": kinds[0][1] if kinds else None, "languages": [], "lat": lat,
            "lon": lon, "zone": zone_of.get(home or "", root)}))  # fmt: skip
        for scheme, value in _identifiers(org.identifier).items():
            out["actor_identifiers"].append((where, {"actor": aid, "scheme": scheme,
                                                     "value": value}))  # fmt: skip
    for rid, (where, role) in by_kind["PractitionerRole"].items():
        aid = pid(f"practitionerrole-{rid}")
        practitioner_id = _ref_id(role.practitioner, "Practitioner")
        person = by_kind["Practitioner"].get(practitioner_id or "", (None, None))[1]
        name = _person_name(person) or (role.practitioner.display if role.practitioner else None)
        roles = _codings(role.code) + _codings(role.specialty)
        if aid is None or not (name or roles):
            report.skip("PractitionerRole without a usable id, a name or a role", where)
            continue
        actor_of[("PractitionerRole", rid)] = aid
        location_id = _ref_id((role.location or [None])[0], "Location")
        location = by_kind["Location"].get(location_id or "", (None, None))[1]
        lat, lon = _position(location) if location is not None else (None, None)
        home = _ref_id(location.partOf, "Location") if location is not None else None
        languages = []
        for concept in (person.communication if person is not None else None) or []:
            languages += [c for c in _concept_languages(concept) if c not in languages]
        out["actors"].append((where, {
            "id": aid, "name": name or roles[0][1], "kind": "professional", "line": "first",
            "discipline": roles[0][1] if roles else None, "languages": languages,
            "lat": lat, "lon": lon, "zone": zone_of.get(home or "", root)}))  # fmt: skip
        ids = _identifiers(person.identifier if person is not None else None)
        ids.update(_identifiers(role.identifier))
        for scheme, value in ids.items():
            out["actor_identifiers"].append((where, {"actor": aid, "scheme": scheme,
                                                     "value": value}))  # fmt: skip

    # Services and their types.
    codes_wanted: dict[str, str] = {}
    unclassified = False
    for rid, (where, service) in by_kind["HealthcareService"].items():
        sid = pid(rid)
        provider = _ref_id(service.providedBy, "Organization")
        actor = actor_of.get(("Organization", provider or ""))
        if actor is None and provider and existing and pid(provider):
            actor = pid(provider) if existing("actors", {pid(provider)}) else None
        if sid is None or actor is None:
            report.skip("HealthcareService without a known providedBy Organization", where)
            continue
        types = []
        for code, display in _codings(service.type):
            usable = valid_code(code) or valid_code(slug(code))
            if usable and usable not in types:
                types.append(usable)
                codes_wanted.setdefault(usable, display)
        if not types:
            unclassified = True
            report.note("HealthcareService without type (type 'unclassified')", where)
        languages: list[str] = []
        for concept in service.communication or []:
            languages += [c for c in _concept_languages(concept) if c not in languages]
        tags = []
        for item in service.eligibility or []:
            for code, display in _codings([item.code] if item.code else []):
                tag = eligibility_tag(code) or eligibility_tag(display)
                if tag and tag not in tags:
                    tags.append(tag)
                elif not tag:
                    report.skip("eligibility that is not a short tag", where)
        covers = [zone_of[i] for i in (_ref_id(r, "Location") for r in service.coverageArea or [])
                  if i in zone_of]  # fmt: skip
        if len(covers) < len(service.coverageArea or []):
            report.skip("coverageArea that is not a Location of the bundle", where)
        out["services"].append((where, {
            "id": sid, "actor": actor, "type": types[0] if types else UNCLASSIFIED,
            "name": service.name or (codes_wanted.get(types[0]) if types else None) or rid,
            "capacity": 0, "available": 0, "languages": languages, "eligibility": tags,
            "status": (status or {}).get(("HealthcareService", rid))
            or ("closed" if service.active is False else "active"),
            "covers": covers or [root]}))  # fmt: skip
        out["service_classifications"] += [
            (where, {"service": sid, "type": code}) for code in types
        ]
    if unclassified:
        codes_wanted.setdefault(UNCLASSIFIED, "Unclassified service")
    known_types = existing("service_types", set(codes_wanted)) if existing else set()
    for code, display in sorted(codes_wanted.items()):
        if code not in known_types:  # never rename a service type the database already has
            out["service_types"].append((title, {"code": code, "name": display}))
    for kind in ("Location", "Practitioner"):
        report.mapped[f"{kind} (used)"] = len(by_kind[kind])
    report.mapped.update(records_count(out))
    return dict(out)


def _person_name(person: Any) -> str | None:
    for name in (person.name if person is not None else None) or []:
        if name.text:
            return name.text
        parts = [*(name.prefix or []), *(name.given or []), name.family or ""]
        text = " ".join(p for p in parts if p).strip()
        if text:
            return text
    return None


def _concept_languages(concept: Any) -> list[str]:
    found: list[str] = []
    for coding in concept.coding or []:
        found += [c for c in language_codes(coding.display, coding.code) if c not in found]
    if not found and concept.text:
        found = language_codes(concept.text)
    return found


def import_fhir(
    path: Path,
    prefix: str | None = None,
    zone: str | None = None,
    existing: ExistingKeys | None = None,
    candidates: list[dict[str, Any]] | None = None,
) -> Imported:
    """Read, validate, map, match and check a FHIR R4 JSON file."""
    path = Path(path)
    problems: list[str] = []
    report = ImportReport(str(path))
    entries = Entries()
    resources = read_fhir(path, problems, report, entries)
    if problems:
        raise InputError(problems)
    prefix = slug(path.stem) if prefix is None else prefix
    records = map_fhir(resources, prefix, path.stem, report, zone=zone, existing=existing,
                       status=entries.status)  # fmt: skip
    matched = match_records(records, candidates or [])
    matched.partial = entries.partial
    tables = {"HealthcareService": "services", "Organization": "actors"}
    for kind, rid in entries.deleted:
        table = tables.get(kind)
        if table is None:
            report.skip(f"DELETE of a {kind} (only services and organizations are records)")
            continue
        matched.deleted.append((table, prefixed(prefix, rid)))
    bundle = bundle_from_records(path, records, [], existing)
    return Imported(bundle, report, matched)
