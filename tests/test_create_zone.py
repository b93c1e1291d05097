"""`import hsds|fhir --zone ID` places the actors in a zone that must exist; a new zone is made
only when asked, with `--create-zone NAME` (issue 19, item 4)."""

from __future__ import annotations

import pytest

from graphsvc.core.directory import Page, get_zones, list_actors
from graphsvc.errors import InputError
from graphsvc.io.sources_import import prepare_import, record_import
from graphsvc.store import Store
from tests.conftest import REPO, TINY, load

FHIR = REPO / "tests" / "fixtures" / "fhir" / "brussels_network.json"


def zone_ids(store: Store) -> set[str]:
    return {r["id"] for r in store.run("list_zones", level=None, parent=None, offset=0,
                                       limit=1000)}  # fmt: skip


def test_create_zone_makes_a_named_top_level_zone_holding_the_actors(make_store) -> None:
    store = make_store()
    load(store, str(TINY))
    imported, info = prepare_import(store, FHIR, "fhir", new_zone=" Réseau Bruxelles ")
    record_import(store, imported, info)
    zone = get_zones(store, ["reseau-bruxelles"])["reseau-bruxelles"]
    assert (zone.name, zone.level, zone.parent) == ("Réseau Bruxelles", "region", None)
    actors = list_actors(store, "reseau-bruxelles", None, None, Page())
    assert len(actors) == 2  # in it or in its parts (a coverage area's municipality)
    homes = get_zones(store, sorted({a.zone for a in actors if a.zone}))
    assert all("reseau-bruxelles" in (z.id, z.parent) for z in homes.values())


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"zone": "no-such-zone"}, "--zone 'no-such-zone': no such zone in the database"),
        ({"new_zone": "Pilot"}, "--create-zone 'Pilot': zone 'pilot' exists already"),
        ({"new_zone": "!!"}, "--create-zone '!!': a zone name needs a letter or a digit"),
    ],
)
def test_a_zone_that_is_not_there_or_already_there_is_refused_before_writing(
    make_store, options: dict[str, str], expected: str
) -> None:
    store = make_store()
    load(store, str(TINY))
    before = zone_ids(store)
    with pytest.raises(InputError) as refused:
        prepare_import(store, FHIR, "fhir", **options)
    assert len(refused.value.problems) == 1 and refused.value.problems[0].startswith(expected)
    assert zone_ids(store) == before
