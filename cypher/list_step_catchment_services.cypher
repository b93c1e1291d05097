// For each step of a care pathway: the services in one of $statuses (as in
// list_catchment_services; without the to-be services of dropped actions) of the step's
// service type or a narrower one that reach a demand cell, inside zone $zone, of the
// pathway's need. Like list_catchment_services it starts from the zone's cells and climbs
// their PART_OF chain to the zones services cover. Columns: `step`, `service`, `name`,
// `actor`, `capacity`, `cells` (ids of the cells inside $zone it reaches with that need),
// `people` (people with the need in its whole declared catchment, inside $zone or not).
// idempotent: yes
MATCH (p:CarePathway {id: $pathway})-[:FOR_NEED]->(n:NeedType)
MATCH (root:Zone {id: $zone})
MATCH (k:Zone)-[:PART_OF*0..]->(root)
WITH p, n, k
MATCH (k)-[:PART_OF*0..]->(covered:Zone)
WITH p, n, covered, collect(k) AS inside
MATCH (covered)<-[:COVERS]-(s:Service)
WHERE s.status IN $statuses
UNWIND inside AS k
WITH p, n, s, collect(DISTINCT k) AS reached
OPTIONAL MATCH (s)<-[:PLANS]-(dropped:Action {status: 'dropped'})
WITH p, n, s, reached, count(dropped) AS drops
WHERE drops = 0
MATCH (p)-[:HAS_STEP]->(st:PathwayStep)-[:STEP_TYPE]->(want:ServiceType)
MATCH (s)-[:OF_TYPE]->(:ServiceType)-[:BROADER*0..]->(want)
WITH DISTINCT st, s, n, reached
UNWIND reached AS k
MATCH (k)-[:HAS_NEED]->(n)
WITH st, s, n, collect(k.id) AS cells
MATCH (s)-[:COVERS]->(:Zone)<-[:PART_OF*0..]-(:Zone)-[h:HAS_NEED]->(n)
WITH st, s, cells, collect(DISTINCT h) AS records
MATCH (a:Actor)-[:PROVIDES]->(s)
RETURN st.step AS step, s.id AS service, s.name AS name, a.id AS actor,
       s.capacity AS capacity, cells,
       reduce(total = 0, x IN records | total + coalesce(x.people, 0)) AS people
ORDER BY step, service
