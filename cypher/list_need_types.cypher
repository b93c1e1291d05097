// All need types ordered by code: `code`, `name`, `domain`, `met_by` (service type codes).
// idempotent: yes
MATCH (n:NeedType)
OPTIONAL MATCH (n)-[:MET_BY]->(t:ServiceType)
WITH n, t ORDER BY t.code
RETURN n.code AS code, n.name AS name, n.domain AS domain, collect(t.code) AS met_by
ORDER BY code
