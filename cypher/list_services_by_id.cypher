// The services among $ids in one of $statuses with their provider and type, for an
// incremental update of the gap index (graphsvc.core.gapindex); one row per (service, actor,
// type), the columns of list_every_service: `service`, `name`, `actor`, `capacity`, `status`,
// `type`.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (a:Actor)-[:PROVIDES]->(s:Service {id: wanted})-[:OF_TYPE]->(t:ServiceType)
WHERE s.status IN $statuses
RETURN s.id AS service, s.name AS name, a.id AS actor, s.capacity AS capacity,
       s.status AS status, t.code AS type
