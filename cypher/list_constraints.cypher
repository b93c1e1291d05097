// Uniqueness constraints of the graph: `label`, `properties` (list), `status`.
// idempotent: yes
CALL db.constraints() YIELD type, label, properties, status
WITH type, label, properties, status
WHERE type = 'UNIQUE'
RETURN label, properties, status
ORDER BY label
