// Every AT link for a bundle export: `service`, `location` (ids), `props` (its properties).
// idempotent: yes
MATCH (s:Service)-[r:AT]->(l:Location)
RETURN s.id AS service, l.id AS location, properties(r) AS props
ORDER BY service, location
