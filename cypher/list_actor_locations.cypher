// The locations of the actors $ids: `actor`, `props` (the location's properties), `zone`
// (the finest zone its coordinates fall in, or null).
// idempotent: yes
MATCH (a:Actor)-[:HAS_LOCATION]->(l:Location)
WHERE a.id IN $ids
OPTIONAL MATCH (l)-[:LOCATED_IN]->(z:Zone)
RETURN a.id AS actor, properties(l) AS props, z.id AS zone
ORDER BY actor, props.id
