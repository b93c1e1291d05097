// Services in one of $statuses (['active'] as is; ['active', 'planned'] for the TO_BE
// scenario), without the to-be services of dropped actions, that reach a demand cell inside
// zone $zone for a need they meet (their type or a broader one is MET_BY the need). Starts
// from the zone's cells and climbs their PART_OF chain to the zones the services cover.
// Columns: `service`, `name`, `actor`, `capacity` (null: unknown), `provenance` (of the
// capacity), `type` (the service's own type), `need`, `cells` (ids of the cells inside
// $zone it reaches for that need), `people` (people in need in its whole declared catchment
// for that need: the distinct cells under the zones it covers, inside $zone or not).
// idempotent: yes
MATCH (root:Zone {id: $zone})
MATCH (k:Zone)-[:PART_OF*0..]->(root)
WITH k
MATCH (k)-[:PART_OF*0..]->(covered:Zone)
WITH covered, collect(k) AS inside
MATCH (covered)<-[:COVERS]-(s:Service)
WHERE s.status IN $statuses
UNWIND inside AS k
WITH s, collect(DISTINCT k) AS reached
OPTIONAL MATCH (s)<-[:PLANS]-(dropped:Action {status: 'dropped'})
WITH s, reached, count(dropped) AS drops
WHERE drops = 0
MATCH (s)-[:OF_TYPE]->(:ServiceType)-[:BROADER*0..]->(:ServiceType)<-[:MET_BY]-(n:NeedType)
WHERE $needs IS NULL OR n.code IN $needs
WITH DISTINCT s, reached, n
UNWIND reached AS k
MATCH (k)-[:HAS_NEED]->(n)
WITH s, n, collect(k.id) AS cells
MATCH (s)-[:COVERS]->(:Zone)<-[:PART_OF*0..]-(:Zone)-[h:HAS_NEED]->(n)
WITH s, n, cells, collect(DISTINCT h) AS records
MATCH (a:Actor)-[:PROVIDES]->(s), (s)-[:OF_TYPE]->(t:ServiceType)
RETURN s.id AS service, s.name AS name, a.id AS actor, s.capacity AS capacity,
       s.capacity_provenance AS provenance, t.code AS type, n.code AS need, cells, reduce(total = 0, x IN records | total + coalesce(x.people, 0))
       AS people
ORDER BY need, service
