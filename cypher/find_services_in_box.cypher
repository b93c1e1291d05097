// Services in one of $statuses (['active'] as is; ['active', 'planned'] for the TO_BE
// scenario, without the to-be services of dropped actions) meeting some needs whose provider
// lies in a latitude/longitude box (for the distance methods; declared coverage is ignored),
// and those whose provider has no coordinates (null `lat`/`lon`: reported as skipped).
// Columns: `service`, `name`, `actor`, `capacity` (null: unknown), `provenance`, `type` (the
// service's own type), `need`, `lat`, `lon` (the provider's coordinates).
// idempotent: yes
MATCH (n:NeedType)-[:MET_BY]->(:ServiceType)<-[:BROADER*0..]-(t:ServiceType)<-[:OF_TYPE]-(s:Service)
WHERE n.code IN $needs AND s.status IN $statuses
MATCH (a:Actor)-[:PROVIDES]->(s)
WHERE a.lat IS NULL OR a.lon IS NULL
   OR (a.lat >= $south AND a.lat <= $north AND a.lon >= $west AND a.lon <= $east)
OPTIONAL MATCH (s)<-[:PLANS]-(dropped:Action {status: 'dropped'})
WITH s, a, n, t, count(dropped) AS drops
WHERE drops = 0
RETURN s.id AS service, s.name AS name, a.id AS actor, s.capacity AS capacity,
       s.capacity_provenance AS provenance, t.code AS type, n.code AS need, a.lat AS lat,
       a.lon AS lon
ORDER BY need, service
