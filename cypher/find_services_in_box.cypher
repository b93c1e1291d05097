// Services in one of $statuses (['active'] as is; ['active', 'planned'] for the TO_BE
// scenario, without the to-be services of dropped actions) meeting some needs whose provider
// lies in a latitude/longitude box (for the distance methods; declared coverage is ignored),
// and those whose provider has no coordinates (null `lat`/`lon`: reported as skipped).
// Columns: `service`, `name`, `actor`, `capacity` (null: unknown), `provenance`, `type` (the
// service's own type), `need`, `lat`, `lon` (the provider's coordinates).
MATCH (n:NeedType)-[:MET_BY]->(:ServiceType)<-[:BROADER*0..]-(:ServiceType)<-[:OF_TYPE]-(s:Service)
WHERE n.code IN $needs AND s.status IN $statuses
  AND NOT (s)<-[:PLANS]-(:Action {status: 'dropped'})
MATCH (a:Actor)-[:PROVIDES]->(s)
WHERE a.lat IS NULL OR a.lon IS NULL
   OR (a.lat >= $south AND a.lat <= $north AND a.lon >= $west AND a.lon <= $east)
WITH DISTINCT s, a, n
MATCH (s)-[:OF_TYPE]->(t:ServiceType)
RETURN s.id AS service, s.name AS name, a.id AS actor, s.capacity AS capacity,
       s.capacity_provenance AS provenance, t.code AS type, n.code AS need, a.lat AS lat,
       a.lon AS lon
ORDER BY need, service
