// Every need type for a bundle export: `code`, `name`, `domain`, `met_by` (service type codes).
// idempotent: yes
MATCH (n:NeedType)
RETURN n.code AS code, n.name AS name, n.domain AS domain,
       [(n)-[:MET_BY]->(t:ServiceType) | t.code] AS met_by
ORDER BY code
