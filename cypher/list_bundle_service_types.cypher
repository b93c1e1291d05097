// Every service type for a bundle export: `code`, `name`, `category`, `broader` (or null).
// idempotent: yes
MATCH (t:ServiceType)
OPTIONAL MATCH (t)-[:BROADER]->(b:ServiceType)
WITH t, min(b.code) AS broader
RETURN t.code AS code, t.name AS name, t.category AS category, broader
ORDER BY code
