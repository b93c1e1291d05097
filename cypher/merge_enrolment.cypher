// Enrol one patient in a care pathway (or change its enrolment): ENROLLED_IN {since,
// completed = the last step done, 0 for none}. $scope: None for unscoped callers (admin,
// local mode), else the acting case manager, and nothing is written unless it is the
// patient's case manager when the statement runs. Returns `written` (0 or 1).
MATCH (p:Patient {id: $patient}), (c:CarePathway {id: $pathway})
OPTIONAL MATCH (:Actor {id: $scope})-[managing:CASE_MANAGER_OF]->(p)
WITH p, c, count(managing) AS ties
WHERE $scope IS NULL OR ties > 0
MERGE (p)-[e:ENROLLED_IN]->(c)
SET e.since = $since, e.completed = $completed
RETURN count(*) AS written
