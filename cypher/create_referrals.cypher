// Create referrals in status `proposed` for one patient, made by one actor (rows: id,
// service, note). Every row's service must exist (checked before). Returns `id` per referral.
// $scope: None for unscoped callers (admin, local mode); else the acting case manager ($actor),
// and nothing is created unless it is the patient's case manager when the statement runs (a
// member of the care circle does not make referrals), so a scope lost since the caller's
// check cannot be written through.
MATCH (p:Patient {id: $patient}), (b:Actor {id: $actor})
OPTIONAL MATCH (:Actor {id: $scope})-[managing:CASE_MANAGER_OF]->(p)
WITH p, b, count(managing) AS ties
WHERE $scope IS NULL OR ties > 0
UNWIND $rows AS row
MATCH (s:Service {id: row.service})
CREATE (r:Referral {id: row.id, status: 'proposed', created: $now, updated: $now,
                    note: row.note})
CREATE (r)-[:FOR]->(p)
CREATE (r)-[:TO]->(s)
CREATE (r)-[:BY]->(b)
RETURN r.id AS id
