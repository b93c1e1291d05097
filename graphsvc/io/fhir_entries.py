"""FHIR R4 as it comes: the resources of one or several JSON documents (a folder or several
files of searchset pages, transaction or collection Bundles, single resources) made ready for
validation and mapping (io/fhir.py).

- References by `fullUrl` (`urn:uuid:...` or absolute URLs) and to contained resources (`#id`)
  are rewritten to `Kind/id`; a contained resource becomes a resource of its own with id
  `PARENT-ID` (so two parents' `#org` do not collide).
- A resource without an id takes the uuid of its `urn:uuid` fullUrl, else `h` + 16 hex digits
  of the sha256 of its content (stable: the same resource gets the same id in every bundle,
  two different ones never share one). Reported.
- `modifierExtension`: a HealthcareService status (valueCode or valueString suspended, paused,
  temporarily-closed -> paused; closed, inactive -> closed) is honoured; any other one refuses
  the resource with the reason (its meaning would change without it).
- DELETE entries of a transaction or batch name records of the source: they are marked no
  longer in the source (the import is then partial: records it does not name stay as they
  are); a conditional DELETE (`Kind?search`) is refused with the reason.
- A searchset page whose `next` link names no page given is reported (dangling next link).
- A Practitioner's SSIN/INSZ/NISS is never stored, and the report says so.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from graphsvc.io.mapping import ImportReport

PAUSED = {"suspended", "paused", "temporarily-closed", "temporarily closed", "on-hold"}
CLOSED = {"closed", "inactive", "retired"}
SSIN_WORDS = ("ssin", "inss", "insz", "niss", "rijksregister", "registre-national")


@dataclass
class Entries:
    """Resources ready to validate, and what the documents said beside them."""

    resources: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    deleted: list[tuple[str, str]] = field(default_factory=list)  # (Kind, id)
    status: dict[tuple[str, str], str] = field(default_factory=dict)  # (Kind, id) -> status
    partial: bool = False  # only transactions/batches: records not named stay as they are


def content_id(resource: dict[str, Any]) -> str:
    """A stable id from a resource's content."""
    text = json.dumps(resource, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "h" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def entries_of(
    documents: list[tuple[str, dict[str, Any]]], problems: list[str], report: ImportReport
) -> Entries:
    """The resources of the documents (name, parsed JSON), see the module."""
    out = Entries()
    pages: set[str] = set()
    nexts: list[tuple[str, str]] = []
    kinds: set[str] = set()
    raw: list[tuple[str, dict[str, Any], str | None]] = []  # where, resource, fullUrl
    for name, data in documents:
        if data.get("resourceType") != "Bundle":
            raw.append((name, data, None))
            kinds.add("resource")
            continue
        kinds.add(str(data.get("type")))
        for link in data.get("link") or []:
            if isinstance(link, dict) and link.get("relation") == "self" and link.get("url"):
                pages.add(str(link["url"]))
            if isinstance(link, dict) and link.get("relation") == "next" and link.get("url"):
                nexts.append((name, str(link["url"])))
        for i, entry in enumerate(data.get("entry") or []):
            where = f"{name} entry[{i}]"
            if not isinstance(entry, dict):
                problems.append(f"{where}: not an entry object")
                continue
            request = entry.get("request") if isinstance(entry.get("request"), dict) else {}
            if str(request.get("method", "")).upper() == "DELETE":
                _delete(where, str(request.get("url", "")), out, report)
                continue
            resource = entry.get("resource")
            if not isinstance(resource, dict):
                problems.append(f"{where}: no resource")
                continue
            raw.append((where, resource, entry.get("fullUrl")))
    out.partial = bool(kinds) and kinds <= {"transaction", "batch"}
    for name, url in nexts:
        if url not in pages:
            reason = ("searchset page whose next page was not given (dangling next link: give "
                      "every page, as a folder or several files)")  # fmt: skip
            report.note(reason, f"{name} {url[:80]}")
    targets: dict[str, str] = {}  # fullUrl -> Kind/id
    expanded: list[tuple[str, dict[str, Any]]] = []
    for where, resource, full_url in raw:
        kind = str(resource.get("resourceType"))
        if not resource.get("id"):
            if isinstance(full_url, str) and full_url.startswith("urn:uuid:"):
                resource["id"] = full_url.removeprefix("urn:uuid:")
                report.note("resource without an id (its urn:uuid fullUrl taken)", where)
            else:
                resource["id"] = content_id(resource)
                report.note("resource without an id (id from a hash of its content)", where)
        rid = str(resource["id"])
        if isinstance(full_url, str) and full_url:
            targets[full_url] = f"{kind}/{rid}"
        local: dict[str, str] = {}
        for contained in resource.pop("contained", None) or []:
            if not isinstance(contained, dict) or not contained.get("id"):
                report.skip("contained resource without an id", where)
                continue
            ckind, cid = str(contained.get("resourceType")), f"{rid}-{contained['id']}"
            local[f"#{contained['id']}"] = f"{ckind}/{cid}"
            expanded.append((f"{where} contained {ckind}/{contained['id']}",
                             {**contained, "id": cid}))  # fmt: skip
        _rewrite(resource, local)
        expanded.append((where, resource))
    for where, resource in expanded:
        _rewrite(resource, targets)
        kind, rid = str(resource.get("resourceType")), str(resource.get("id"))
        if resource.get("modifierExtension"):
            status = _modifier_status(kind, resource.pop("modifierExtension"))
            if status is None:
                report.skip("resource with a modifierExtension graphsvc does not understand "
                            "(refused: its meaning would change without it)",
                            f"{where} {kind}/{rid}")  # fmt: skip
                continue
            out.status[(kind, rid)] = status
        if kind == "Practitioner" and _has_ssin(resource):
            report.note("SSIN/INSZ national number not stored (personal data)", where)
        out.resources.append((where, resource))
    return out


def _delete(where: str, url: str, out: Entries, report: ImportReport) -> None:
    parts = url.split("?")[0].strip("/").split("/")
    if "?" in url or len(parts) < 2:
        report.skip("DELETE entry not naming Kind/id (conditional deletes are not applied)",
                    f"{where} {url[:60]!r}")  # fmt: skip
        return
    out.deleted.append((parts[-2], parts[-1]))
    report.note("DELETE entry (its record marked no longer in the source)", where)


def _rewrite(node: Any, targets: dict[str, str]) -> None:
    """Replace every `reference` found in `targets`, in place."""
    if isinstance(node, dict):
        ref = node.get("reference")
        if isinstance(ref, str) and ref in targets:
            node["reference"] = targets[ref]
        for value in node.values():
            if isinstance(value, dict | list):
                _rewrite(value, targets)
    elif isinstance(node, list):
        for item in node:
            _rewrite(item, targets)


def _modifier_status(kind: str, extensions: Any) -> str | None:
    """The status a HealthcareService's modifierExtension sets, or None (not understood)."""
    if kind != "HealthcareService" or not isinstance(extensions, list):
        return None
    found = None
    for ext in extensions:
        if not isinstance(ext, dict):
            return None
        value = str(ext.get("valueCode") or ext.get("valueString") or "").strip().lower()
        if value in PAUSED:
            found = "paused"
        elif value in CLOSED:
            found = found or "closed"
        else:
            return None
    return found


def _has_ssin(resource: dict[str, Any]) -> bool:
    for identifier in resource.get("identifier") or []:
        system = str(identifier.get("system", "")).lower() if isinstance(identifier, dict) else ""
        if any(word in system for word in SSIN_WORDS):
            return True
    return False
