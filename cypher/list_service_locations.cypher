// Where the services $ids are offered (AT links): `service`, `props` (the location's
// properties), `at` (the link's properties), `zone` (the location's zone, or null).
// idempotent: yes
MATCH (s:Service)-[r:AT]->(l:Location)
WHERE s.id IN $ids
OPTIONAL MATCH (l)-[:LOCATED_IN]->(z:Zone)
RETURN s.id AS service, properties(l) AS props, properties(r) AS at, z.id AS zone
ORDER BY service, props.id
