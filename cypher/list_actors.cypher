// Actors ordered by id, one page, filtered by zone (located in it or in one of its parts),
// line and kind: `id`, `name`, `kind`, `line`, `discipline`, `languages`, `lat`, `lon`, `zone`.
// idempotent: yes
MATCH (a:Actor)-[:LOCATED_IN]->(home:Zone)
WHERE ($line IS NULL OR a.line = $line) AND ($kind IS NULL OR a.kind = $kind)
  AND ($zone IS NULL OR (home)-[:PART_OF*0..]->(:Zone {id: $zone}))
RETURN a.id AS id, a.name AS name, a.kind AS kind, a.line AS line,
       a.discipline AS discipline, a.languages AS languages, a.lat AS lat, a.lon AS lon,
       home.id AS zone
ORDER BY id
SKIP $offset LIMIT $limit
