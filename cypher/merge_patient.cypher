// Create or replace one pseudonymous patient: its zone (LIVES_IN), case manager
// (CASE_MANAGER_OF), languages, eligibility tags and needs (HAS_NEED {since}; $needs is a
// list of {code, since} maps). Links not in the new record are removed; referrals stay.
// Zone, actor and need codes are checked before. Returns `id` and `needs` (needs recorded).
// The caller's scope is checked here, in the statement that writes: $scope is None for
// unscoped callers (admin, local mode, the command line), else the acting case manager, who
// only writes a patient it is CASE_MANAGER_OF when the statement runs, or ($create) one that
// does not exist yet. $create false: an unknown patient is not created. No row: nothing
// written (a hand-over or a registration that came first wins).
MATCH (z:Zone {id: $zone}), (m:Actor {id: $case_manager})
OPTIONAL MATCH (existing:Patient {id: $id})
OPTIONAL MATCH (:Actor {id: $scope})-[own:CASE_MANAGER_OF]->(existing)
WITH z, m, existing, count(own) AS owned
WHERE (existing IS NOT NULL OR $create)
  AND ($scope IS NULL OR owned > 0 OR (existing IS NULL AND $create))
MERGE (p:Patient {id: $id})
SET p.languages = $languages, p.eligibility = $eligibility
WITH p, z, m
OPTIONAL MATCH (p)-[old:LIVES_IN|HAS_NEED]->()
DELETE old
WITH DISTINCT p, z, m
OPTIONAL MATCH (p)<-[cm:CASE_MANAGER_OF]-()
DELETE cm
WITH DISTINCT p, z, m
MERGE (p)-[:LIVES_IN]->(z)
MERGE (m)-[:CASE_MANAGER_OF]->(p)
WITH p
OPTIONAL MATCH (n:NeedType)
WHERE n.code IN [need IN $needs | need.code]
FOREACH (since IN CASE WHEN n IS NULL THEN [] ELSE
                  [need IN $needs WHERE need.code = n.code | need.since] END |
  MERGE (p)-[h:HAS_NEED]->(n)
  SET h.since = since)
RETURN p.id AS id, count(n) AS needs
