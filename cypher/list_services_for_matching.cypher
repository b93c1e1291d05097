// Every service with its provider and the fields survivorship compares: `id`, `actor`,
// `type`, `name`, `capacity`, `available`, `languages`, `eligibility`, `status`, `covers`
// (zone ids), and `records` (a list of {source, kind, values} of its source records).
MATCH (a:Actor)-[:PROVIDES]->(s:Service)-[:OF_TYPE]->(t:ServiceType)
OPTIONAL MATCH (s)-[:COVERS]->(z:Zone)
WITH a, s, t, collect(z.id) AS covers
OPTIONAL MATCH (r:SourceRecord)-[:DESCRIBES]->(s)
WITH a, s, t, covers, collect({source: r.source, kind: r.kind, values: r.values, how: r.how})
     AS records
RETURN s.id AS id, a.id AS actor, t.code AS type, s.name AS name, s.capacity AS capacity,
       s.available AS available, s.languages AS languages, s.eligibility AS eligibility,
       s.status AS status, covers,
       [x IN records WHERE x.source IS NOT NULL AND x.how <> 'queued'] AS records
ORDER BY id
