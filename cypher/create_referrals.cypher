// Create referrals in status `proposed` for one patient, made by one actor (rows: id,
// service, note). Every row's service must exist (checked before). Returns `id` per referral.
// $scope: None for unscoped callers (admin, local mode); else the acting case manager ($actor),
// and nothing is created unless the patient is still in its scope when the statement runs (it
// manages the patient or is in the care circle: a service of its with an accepted or active
// referral), so a scope lost since the caller's check cannot be written through.
MATCH (p:Patient {id: $patient}), (b:Actor {id: $actor})
OPTIONAL MATCH (:Actor {id: $scope})-[managing:CASE_MANAGER_OF]->(p)
OPTIONAL MATCH (:Actor {id: $scope})-[:PROVIDES]->(:Service)<-[:TO]-(tie:Referral)-[:FOR]->(p)
WHERE tie.status IN ['accepted', 'active']
WITH p, b, count(managing) + count(tie) AS ties
WHERE $scope IS NULL OR ties > 0
UNWIND $rows AS row
MATCH (s:Service {id: row.service})
CREATE (r:Referral {id: row.id, status: 'proposed', created: $now, updated: $now,
                    note: row.note})
CREATE (r)-[:FOR]->(p)
CREATE (r)-[:TO]->(s)
CREATE (r)-[:BY]->(b)
RETURN r.id AS id
