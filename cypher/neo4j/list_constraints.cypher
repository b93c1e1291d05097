// Uniqueness constraints of the graph: `label`, `properties` (list), `status`.
// idempotent: yes
SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties
WHERE type = 'UNIQUENESS'
RETURN labelsOrTypes[0] AS label, properties, 'OPERATIONAL' AS status
ORDER BY label
