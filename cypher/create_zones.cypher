// Create zones, each with its PART_OF link to a zone that exists already and its population
// needs (rows: id, name, level, population, lat, lon, part_of, needs: zone_needs rows, of
// which need, people, year and source are read): a bulk load into a graph without zones, one
// depth of the zone tree at a time so that every parent is there. Links from a zone created
// here cannot exist yet, so none is looked for. The uniqueness constraint on Zone.id refuses
// the whole batch if one of its zones exists (the load then merges with merge_zones,
// merge_zone_parts and merge_zone_need_groups). Returns `written`: needs recorded.
// touches: zones
// idempotent: no
UNWIND $rows AS row
OPTIONAL MATCH (p:Zone {id: row.part_of})
CREATE (z:Zone {id: row.id, name: row.name, level: row.level, population: row.population,
                lat: row.lat, lon: row.lon})
FOREACH (parent IN CASE WHEN p IS NULL THEN [] ELSE [p] END | CREATE (z)-[:PART_OF]->(parent))
WITH z, row
UNWIND row.needs AS need
MATCH (n:NeedType {code: need.need})
CREATE (z)-[:HAS_NEED {people: need.people, year: need.year, source: need.source}]->(n)
RETURN count(*) AS written
