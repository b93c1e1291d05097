// Services in one of $statuses (['active'] as is; ['active', 'planned'] for the TO_BE
// scenario, without the to-be services of dropped actions) meeting some needs whose provider
// lies in a latitude/longitude box (for the distance method; declared coverage is ignored).
// Columns: `service`, `name`, `actor`, `capacity`, `need`, `lat`, `lon` (the provider's
// coordinates).
// idempotent: yes
MATCH (n:NeedType)-[:MET_BY]->(:ServiceType)<-[:BROADER*0..]-(:ServiceType)<-[:OF_TYPE]-(s:Service)
WHERE n.code IN $needs AND s.status IN $statuses
  AND NOT (s)<-[:PLANS]-(:Action {status: 'dropped'})
MATCH (a:Actor)-[:PROVIDES]->(s)
WHERE a.lat >= $south AND a.lat <= $north AND a.lon >= $west AND a.lon <= $east
WITH DISTINCT s, a, n
RETURN s.id AS service, s.name AS name, a.id AS actor, s.capacity AS capacity,
       n.code AS need, a.lat AS lat, a.lon AS lon
ORDER BY need, service
