// For each step of a care pathway: the services in one of $statuses (as in
// list_catchment_services; without the to-be services of dropped actions) of the step's
// service type or a narrower one that reach a demand cell, inside zone $zone, of the
// pathway's need, each with its whole declared catchment for that need. Columns: `step`,
// `service`, `name`, `actor`, `capacity`, `catchment` (list of {zone, people} maps).
MATCH (p:CarePathway {id: $pathway})-[:FOR_NEED]->(n:NeedType)
MATCH (p)-[:HAS_STEP]->(st:PathwayStep)-[:STEP_TYPE]->(want:ServiceType)
MATCH (root:Zone {id: $zone})
MATCH (k:Zone)-[:PART_OF*0..]->(root)
MATCH (k)-[:HAS_NEED]->(n)
MATCH (k)-[:PART_OF*0..]->(:Zone)<-[:COVERS]-(s:Service)
WHERE s.status IN $statuses AND NOT (s)<-[:PLANS]-(:Action {status: 'dropped'})
MATCH (s)-[:OF_TYPE]->(:ServiceType)-[:BROADER*0..]->(want)
WITH DISTINCT st, s, n
MATCH (a:Actor)-[:PROVIDES]->(s)
MATCH (s)-[:COVERS]->(:Zone)<-[:PART_OF*0..]-(c:Zone)-[h:HAS_NEED]->(n)
WITH st, s, a, collect(DISTINCT {zone: c.id, people: h.people}) AS catchment
RETURN st.step AS step, s.id AS service, s.name AS name, a.id AS actor,
       s.capacity AS capacity, catchment
ORDER BY step, service
