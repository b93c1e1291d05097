// Move one referral from status $current to $status and change its service's free places
// by $places (-1 takes a place, +1 gives one back, 0 leaves them) in this one statement,
// which FalkorDB runs atomically: nothing changes unless the referral is still in $current
// and, when taking a place, the service has one free (so `available` never goes below zero,
// nor above `capacity` when giving back). Returns one row when it changed (`id`, `status`,
// `service`, `available`), none otherwise. `accepted` keeps when it was accepted (team
// feedback: days from proposed to accepted).
// $scope: None for unscoped callers (admin, local mode); else the acting case manager, and
// nothing changes unless, when the statement runs, it is the patient's case manager or it
// provides the service the referral is addressed to (a provider moves only referrals to its
// own services), so a scope lost since the caller's check cannot be written through.
MATCH (r:Referral {id: $id})-[:TO]->(s:Service)
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
