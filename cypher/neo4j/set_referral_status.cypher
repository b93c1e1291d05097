// Neo4j version of set_referral_status: Neo4j checks the WHERE before it locks, so two
// concurrent transactions could both see the last free place. Writing a throw-away property
// first takes the write locks on the referral and the service for the rest of the
// transaction; the checks below then read committed, current values (no lost update).
// $scope: None for unscoped callers (admin, local mode); else the acting case manager, and
// nothing changes unless, when the statement runs, it is the patient's case manager or it
// provides the service the referral is addressed to, so a scope lost since the caller's check
// cannot be written through.
// Returns one row when it changed (`id`, `status`, `service`, `available`), none otherwise.
MATCH (r:Referral {id: $id})-[:TO]->(s:Service)
SET r._lock = true, s._lock = true
REMOVE r._lock, s._lock
WITH r, s
MATCH (r)-[:FOR]->(p:Patient)
OPTIONAL MATCH (:Actor {id: $scope})-[managing:CASE_MANAGER_OF]->(p)
OPTIONAL MATCH (:Actor {id: $scope})-[providing:PROVIDES]->(s)
WITH r, s, count(managing) + count(providing) AS ties
WHERE r.status = $current AND ($places >= 0 OR s.available > 0)
  AND ($scope IS NULL OR ties > 0)
SET r.status = $status, r.updated = $now, r.outcome = $outcome,
    r.accepted = CASE WHEN $status = 'accepted' THEN $now ELSE r.accepted END,
    s.available = CASE
      WHEN $places > 0 AND s.available >= s.capacity THEN s.available
      ELSE s.available + $places END
RETURN r.id AS id, r.status AS status, s.id AS service, s.available AS available
