// Candidate partner services for some needs around a zone: active services with free places
// whose type (or a broader one) is MET_BY one of the needs. `covers` says whether the service
// covers the zone (the zone itself or a zone it is part of); unless $anywhere, only covering
// services are returned (the caller filters the others by distance).
// Columns: `id`, `name`, `capacity`, `available`, `languages`, `eligibility`, `status`,
// `type`, `covers_zone`, `covers` (zone ids), `needs` (need codes met), `actor`, `lat`, `lon`.
// idempotent: yes
MATCH (n:NeedType)-[:MET_BY]->(:ServiceType)<-[:BROADER*0..]-(t:ServiceType)<-[:OF_TYPE]-(s:Service)
WHERE n.code IN $needs AND s.status = 'active' AND s.available > 0
WITH s, t, collect(DISTINCT n.code) AS needs
MATCH (a:Actor)-[:PROVIDES]->(s)
OPTIONAL MATCH (s)-[:COVERS]->(c:Zone)<-[:PART_OF*0..]-(:Zone {id: $zone})
WITH s, t, needs, a, count(c) > 0 AS covers_zone
WHERE covers_zone OR $anywhere
RETURN s.id AS id, s.name AS name, s.capacity AS capacity, s.available AS available,
       s.languages AS languages, s.eligibility AS eligibility, s.status AS status,
       t.code AS type, covers_zone, [(s)-[:COVERS]->(z:Zone) | z.id] AS covers, needs,
       a.id AS actor, a.lat AS lat, a.lon AS lon
ORDER BY id
