// Every service in one of $statuses with its provider and type, for the in-memory gap index
// (graphsvc.core.gapindex); one row per (service, actor, type). Columns: `service`, `name`,
// `actor`, `capacity` (null: unknown),
// `provenance` (of the capacity), `status`, `type`, `lat`, `lon` (the provider's).
// idempotent: yes
MATCH (a:Actor)-[:PROVIDES]->(s:Service)-[:OF_TYPE]->(t:ServiceType)
WHERE s.status IN $statuses
RETURN s.id AS service, s.name AS name, a.id AS actor, s.capacity AS capacity,
       s.capacity_provenance AS provenance, s.status AS status, t.code AS type,
       a.lat AS lat, a.lon AS lon
