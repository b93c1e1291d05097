// All service types ordered by code: `code`, `name`, `category`, `broader` (code or null).
// idempotent: yes
MATCH (t:ServiceType)
OPTIONAL MATCH (t)-[:BROADER]->(b:ServiceType)
RETURN t.code AS code, t.name AS name, t.category AS category, b.code AS broader
ORDER BY code
