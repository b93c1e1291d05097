"""Pseudonymous patients: register, update and read them (DESIGN §3 Patient).

A patient node holds only its pseudonym (`id`, see graphsvc.core.pseudonym), language codes
(ISO 639-1, two letters), eligibility tags from the fixed list in graphsvc.model, the zone it
lives in (LIVES_IN), its needs (HAS_NEED to a need type, with a `since` date) and its case
manager (CASE_MANAGER_OF). Nothing else is accepted: an unknown field (`name`, `birthDate`,
`address`, `note`, ...) is refused, and so is any value that looks like a Belgian national
number (11 digits, with or without the usual separators). Every problem is listed at once
and nothing is written unless the whole record is valid.

`actor_id` is the acting actor: a case manager's token gives it, and then every read is
scoped in Cypher to the patients it manages or whose care circle it is in (the `*_scoped_*`
queries, `$actor`); it registers patients for itself and only changes those it manages, and
that scope is a parameter of the writing statement itself (`$scope`), so a hand-over or a
concurrent registration that came first refuses the write. None (an admin, the local mode,
the command line) reads and writes unscoped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphsvc.core import directory
from graphsvc.core.pseudonym import is_pseudonym, pseudonym, require_key
from graphsvc.errors import Forbidden, InputError, NotFound
from graphsvc.model import ELIGIBILITY_TAGS
from graphsvc.store import Row, Store

FIELDS = ("external_id", "zone", "needs", "languages", "eligibility", "case_manager")
NEED_FIELDS = ("code", "since")
NO_PERSONAL_DATA = "patients hold no names, national numbers, birth dates, addresses or free text"
MAX_NEEDS = 50
MAX_LANGUAGES = 10
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_NATIONAL_NUMBER = re.compile(r"(?<!\d)(?:\d[ ./-]?){10}\d(?!\d)")
_FIRST_DAY = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class PatientNeed:
    code: str
    since: str | None = None


@dataclass(frozen=True)
class Patient:
    """A patient as stored: pseudonym, zone (with its centre), tags, needs, case manager."""

    id: str
    zone: str
    languages: tuple[str, ...] = ()
    eligibility: tuple[str, ...] = ()
    case_manager: str | None = None
    needs: tuple[PatientNeed, ...] = ()
    lat: float | None = None
    lon: float | None = None

    @classmethod
    def from_row(cls, row: Row) -> Patient:
        needs = sorted(row.get("needs") or [], key=lambda n: n["code"])
        return cls(
            id=row["id"],
            zone=row["zone"],
            languages=tuple(row.get("languages") or ()),
            eligibility=tuple(row.get("eligibility") or ()),
            case_manager=row.get("case_manager"),
            needs=tuple(PatientNeed(n["code"], n.get("since")) for n in needs),
            lat=row.get("lat"),
            lon=row.get("lon"),
        )

    @property
    def need_codes(self) -> list[str]:
        return [n.code for n in self.needs]


def get_patients(store: Store, ids: Sequence[str], scope: str | None = None) -> dict[str, Patient]:
    """Patients by pseudonym in one round trip; unknown ids (and, with `scope`, patients that
    actor neither manages nor has in its care circle) are absent."""
    wanted = [i for i in dict.fromkeys(ids) if is_pseudonym(i)]
    if not wanted:
        return {}
    if scope is not None:
        rows = store.run("get_scoped_patients", ids=wanted, actor=scope)
    else:
        rows = store.run("get_patients", ids=wanted)
    return {r["id"]: Patient.from_row(r) for r in rows}


def require_patient(
    store: Store, patient_id: str, argument: str = "patientId", scope: str | None = None
) -> Patient:
    """The patient, or an error naming the argument (a malformed id is not echoed back).
    With `scope`, a patient outside it is unknown: the same error as a patient that is not."""
    if not is_pseudonym(patient_id):
        raise InputError(
            [
                f"argument {argument}: not a patient pseudonym (64 lowercase hex characters); "
                "register the patient with its external identifier to get one"
            ]
        )
    patient = get_patients(store, [patient_id], scope).get(patient_id)
    if patient is None:
        raise NotFound(f"argument {argument}: unknown patient {patient_id!r}")
    return patient


def caseload(store: Store, actor_id: str, scope: str | None = None) -> list[Patient]:
    """The patients an actor is case manager of, by pseudonym; with `scope`, only those that
    actor may see (all of them when it is the manager itself)."""
    if scope is not None:
        rows = store.run("list_scoped_caseload", manager=actor_id, actor=scope)
    else:
        rows = store.run("list_caseload", actor=actor_id)
    return [Patient.from_row(r) for r in rows]


def register_patient(
    store: Store, actor_id: str | None, fields: Mapping[str, Any], key: str | None
) -> Patient:
    """Create (or, for the same external identifier and key, replace) a patient.

    `fields`: external_id (hashed, never stored), zone, needs (list of {code, since}),
    languages, eligibility, case_manager (default: the acting actor). Raises ConfigError
    without a pseudonym key and InputError listing every problem; writes nothing then.
    """
    require_key(key)  # a missing key is a configuration error, before anything else
    problems = _unknown_fields(fields, FIELDS)
    problems += _personal_data(fields, skip=("external_id",))
    try:
        patient_id = pseudonym(fields.get("external_id"), key, "external_id")  # type: ignore[arg-type]
    except InputError as exc:
        problems += exc.problems
        patient_id = ""
    merged = {"zone": None, "needs": [], "languages": [], "eligibility": []}
    merged.update({k: v for k, v in fields.items() if k in FIELDS and k != "external_id"})
    if merged.get("case_manager") is None:
        merged["case_manager"] = actor_id
    if actor_id is not None and not problems and merged["case_manager"] != actor_id:
        raise _refused(patient_id)
    return _write(store, patient_id, merged, {}, problems, scope=actor_id, create=True)


REGISTRATION_REFUSED = (
    "registration refused: a case manager registers only people no one else manages, with "
    "itself as their case manager (an admin hands patients over)"
)


def _refused(patient_id: str) -> Forbidden:
    """The one refusal of a registration, whatever the reason (a person registered by
    another case manager is not told apart); it names the pseudonym for the audit log."""
    error = Forbidden(REGISTRATION_REFUSED)
    error.patient = patient_id  # type: ignore[attr-defined]
    return error


def update_patient(
    store: Store, actor_id: str | None, patient_id: str, changes: Mapping[str, Any]
) -> Patient:
    """Change some fields of a patient; a given list (needs, languages, eligibility) replaces
    the stored one. A need kept without a `since` keeps its recorded date."""
    problems = _unknown_fields(changes, tuple(f for f in FIELDS if f != "external_id"))
    problems += _personal_data(changes)
    if problems:
        raise InputError(problems)
    current = require_patient(store, patient_id, "id", scope=actor_id)
    if actor_id is not None and current.case_manager != actor_id:
        raise Forbidden("argument id: only the patient's case manager (or an admin) changes it")
    merged: dict[str, Any] = {
        "zone": current.zone,
        "needs": [{"code": n.code, "since": n.since} for n in current.needs],
        "languages": list(current.languages),
        "eligibility": list(current.eligibility),
        "case_manager": current.case_manager,
    }
    merged.update({k: v for k, v in changes.items() if v is not None})
    known_since = {n.code: n.since for n in current.needs}
    return _write(store, current.id, merged, known_since, problems, scope=actor_id, create=False)


def _write(
    store: Store,
    patient_id: str,
    fields: dict[str, Any],
    known_since: dict[str, str | None],
    problems: list[str],
    scope: str | None = None,
    create: bool = True,
) -> Patient:
    """Validate and write one patient record; `scope` and `create` go into the statement
    that writes (cypher/merge_patient.cypher), so a scope lost since the caller's check, or
    a registration that came first, refuses the write."""
    languages = _codes(fields["languages"], "languages", problems, _check_language, MAX_LANGUAGES)
    eligibility = _codes(
        fields["eligibility"], "eligibility", problems, _check_tag, len(ELIGIBILITY_TAGS)
    )
    needs = _needs(fields["needs"], known_since, problems)
    zone = _zone(store, fields["zone"], problems)
    manager = _case_manager(store, fields["case_manager"], problems)
    if needs:
        vocabulary = {n.code for n in directory.list_need_types(store)}
        problems += [
            f"needs: unknown need type {n['code']!r}" for n in needs if n["code"] not in vocabulary
        ]
    if problems:
        raise InputError(problems)
    assert zone is not None and manager is not None
    rows = store.run(
        "merge_patient",
        id=patient_id,
        zone=zone.id,
        case_manager=manager,
        languages=languages,
        eligibility=eligibility,
        needs=needs,
        scope=scope,
        create=create,
    )
    if not rows and scope is not None:
        if create:
            raise _refused(patient_id)
        raise Forbidden("argument id: only the patient's case manager (or an admin) changes it")
    if not rows:
        raise NotFound(f"zone {zone.id!r} or case manager {manager!r} disappeared meanwhile")
    return Patient(
        id=patient_id,
        zone=zone.id,
        languages=tuple(languages),
        eligibility=tuple(eligibility),
        case_manager=manager,
        needs=tuple(PatientNeed(n["code"], n["since"]) for n in needs),
        lat=zone.lat,
        lon=zone.lon,
    )


def validate_codes(languages: Iterable[str], eligibility: Iterable[str]) -> tuple[list, list]:
    """Check language codes and eligibility tags of an ad-hoc search; InputError if bad."""
    problems: list[str] = []
    langs = _codes(languages, "languages", problems, _check_language, MAX_LANGUAGES)
    tags = _codes(eligibility, "eligibility", problems, _check_tag, len(ELIGIBILITY_TAGS))
    if problems:
        raise InputError(problems)
    return langs, tags


def _unknown_fields(fields: Mapping[str, Any], allowed: tuple[str, ...]) -> list[str]:
    return [
        f"field {name}: not accepted ({NO_PERSONAL_DATA}); allowed: {', '.join(allowed)}"
        for name in fields
        if name not in allowed
    ]


def _personal_data(fields: Mapping[str, Any], skip: tuple[str, ...] = ()) -> list[str]:
    """Values that look like a national number, wherever they are in the record."""
    problems = []
    for name, value in fields.items():
        if name in skip:
            continue
        for text in _strings(value):
            if _NATIONAL_NUMBER.search(text):
                problems.append(
                    f"field {name}: looks like a national number (11 digits); {NO_PERSONAL_DATA}"
                    ": pass it as external_id, which is only stored as a keyed hash"
                )
                break
    return problems


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _codes(values: Any, name: str, problems: list[str], check: Any, most: int) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        problems.append(f"{name}: expected a list")
        return []
    result: list[str] = []
    for value in values:
        problem = check(value)
        if problem:
            problems.append(f"{name}: {problem}")
        elif value not in result:
            result.append(value)
    if len(result) > most:
        problems.append(f"{name}: at most {most}")
    return result


def _check_language(value: Any) -> str | None:
    if isinstance(value, str) and _LANGUAGE.match(value):
        return None
    return f"{_show(value)} is not a two-letter language code (ISO 639-1, e.g. fr, nl)"


def _check_tag(value: Any) -> str | None:
    if value in ELIGIBILITY_TAGS:
        return None
    return f"{_show(value)} is not one of {', '.join(ELIGIBILITY_TAGS)}"


def _show(value: Any) -> str:
    """A rejected value for an error message, cut short (it may be personal data)."""
    text = repr(value)
    return text if len(text) <= 24 else text[:20] + "...'"


def _needs(
    values: Any, known_since: dict[str, str | None], problems: list[str]
) -> list[dict[str, Any]]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        problems.append("needs: expected a list of {code, since}")
        return []
    today = dt.datetime.now(dt.UTC).date()
    result: dict[str, dict[str, Any]] = {}
    for index, need in enumerate(values):
        where = f"needs[{index}]"
        if not isinstance(need, Mapping):
            problems.append(f"{where}: expected {{code, since}}")
            continue
        problems += [
            f"{where} field {name}: not accepted ({NO_PERSONAL_DATA}); allowed: code, since"
            for name in need
            if name not in NEED_FIELDS
        ]
        code = need.get("code")
        if not isinstance(code, str) or not code:
            problems.append(f"{where} field code: required")
            continue
        if code in result:
            problems.append(f"{where}: need {code!r} given twice")
            continue
        since = need.get("since")
        if since is None:
            since = known_since[code] if code in known_since else today.isoformat()
        else:
            since = _since(since, today, f"{where} field since", problems)
        result[code] = {"code": code, "since": since}
    if len(result) > MAX_NEEDS:
        problems.append(f"needs: at most {MAX_NEEDS}")
    return [result[c] for c in sorted(result)]


def _since(value: Any, today: dt.date, where: str, problems: list[str]) -> str | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            problems.append(f"{where}: {_show(value)} is not a date (YYYY-MM-DD)")
            return None
    if not isinstance(value, dt.date):
        problems.append(f"{where}: expected a date (YYYY-MM-DD)")
        return None
    if not _FIRST_DAY <= value <= today:
        problems.append(f"{where}: {value.isoformat()} is not between 1900-01-01 and today")
        return None
    return value.isoformat()


def _zone(store: Store, zone_id: Any, problems: list[str]) -> directory.Zone | None:
    if not isinstance(zone_id, str) or not zone_id:
        problems.append("zone: required")
        return None
    zone = directory.get_zones(store, [zone_id]).get(zone_id)
    if zone is None:
        problems.append(f"zone: unknown zone {_show(zone_id)}")
    return zone


def _case_manager(store: Store, actor_id: Any, problems: list[str]) -> str | None:
    if not isinstance(actor_id, str) or not actor_id:
        problems.append("case_manager: required (the actor managing this patient)")
        return None
    if actor_id not in directory.get_actors(store, [actor_id]):
        problems.append(f"case_manager: unknown actor {_show(actor_id)}")
        return None
    return actor_id
