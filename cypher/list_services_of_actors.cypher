// The services each given actor provides, for batched look-ups: `actor`, `id`, `name`,
// `capacity`, `available`, `languages`, `eligibility`, `status`, `type`, `covers`. Planned
// (to-be) services are not listed: they belong to action plans.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (a:Actor {id: wanted})-[:PROVIDES]->(s:Service)-[:OF_TYPE]->(t:ServiceType)
WHERE s.status <> 'planned'
OPTIONAL MATCH (s)-[:COVERS]->(z:Zone)
WITH a, s, t, z ORDER BY z.id
WITH a, s, t, collect(z.id) AS covers
RETURN a.id AS actor, s.id AS id, s.name AS name, s.capacity AS capacity,
       s.available AS available, s.languages AS languages, s.eligibility AS eligibility,
       s.status AS status, t.code AS type, covers
ORDER BY actor, id
