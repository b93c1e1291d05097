// Services in one of $statuses (['active'] as is; ['active', 'planned'] for the TO_BE
// scenario, without the to-be services of dropped actions) that reach a demand cell inside a
// zone for a need they meet (their type or a broader one is MET_BY the need), each with its
// whole declared catchment for that need: the cells, inside or outside the zone, under the
// zones it covers. Columns: `service`, `name`, `actor`, `capacity`, `need`, `catchment`
// (list of {zone, people} maps).
MATCH (root:Zone {id: $zone})
MATCH (k:Zone)-[:PART_OF*0..]->(root)
MATCH (k)-[:HAS_NEED]->(n:NeedType)
WHERE $needs IS NULL OR n.code IN $needs
MATCH (k)-[:PART_OF*0..]->(:Zone)<-[:COVERS]-(s:Service)
WHERE s.status IN $statuses AND NOT (s)<-[:PLANS]-(:Action {status: 'dropped'})
MATCH (s)-[:OF_TYPE]->(:ServiceType)-[:BROADER*0..]->(:ServiceType)<-[:MET_BY]-(n)
WITH DISTINCT s, n
MATCH (a:Actor)-[:PROVIDES]->(s)
MATCH (s)-[:COVERS]->(:Zone)<-[:PART_OF*0..]-(c:Zone)-[h:HAS_NEED]->(n)
WITH s, n, a, collect(DISTINCT {zone: c.id, people: h.people}) AS catchment
RETURN s.id AS service, s.name AS name, a.id AS actor, s.capacity AS capacity,
       n.code AS need, catchment
ORDER BY need, service
