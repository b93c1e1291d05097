// Services ordered by id, one page, filtered by providing actor, service type (or a narrower
// one), covered zone (the zone itself or a zone it is part of) and status: `id`, `name`,
// `capacity` (null: unknown), `capacity_provenance`, `available`, `languages`, `eligibility`, `status`, `actor`, `type`, `covers`.
// Planned (to-be) services are not listed: they belong to action plans.
// idempotent: yes
MATCH (a:Actor)-[:PROVIDES]->(s:Service)-[:OF_TYPE]->(t:ServiceType)
WHERE s.status <> 'planned' AND ($actor IS NULL OR a.id = $actor)
  AND ($status IS NULL OR s.status = $status)
  AND ($type IS NULL OR (t)-[:BROADER*0..]->(:ServiceType {code: $type}))
  AND ($zone IS NULL OR (s)-[:COVERS]->(:Zone)<-[:PART_OF*0..]-(:Zone {id: $zone}))
OPTIONAL MATCH (s)-[:COVERS]->(z:Zone)
WITH a, s, t, z ORDER BY z.id
WITH a, s, t, collect(z.id) AS covers
RETURN s.id AS id, s.name AS name, s.capacity AS capacity,
       s.capacity_provenance AS capacity_provenance, s.available AS available,
       s.languages AS languages, s.eligibility AS eligibility, s.status AS status,
       a.id AS actor, t.code AS type, covers
ORDER BY id
SKIP $offset LIMIT $limit
