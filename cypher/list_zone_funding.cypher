// Funding lines that FUNDS a zone over some finest zone inside zone $zone (the finest zone
// itself, a zone between, $zone or a zone above it): `id`, `scheme`, `amount`,
// `start_date`, `end_date`, `source`, `target` (the funded zone), `population` (of the
// funded zone), `leaves` (the finest zones inside $zone under the funded zone).
// idempotent: yes
MATCH (root:Zone {id: $zone})
MATCH (k:Zone)-[:PART_OF*0..]->(root)
WHERE NOT (k)<-[:PART_OF]-(:Zone)
MATCH (k)-[:PART_OF*0..]->(y:Zone)<-[:FUNDS]-(f:Funding)
WITH f, y, collect(DISTINCT k.id) AS leaves
RETURN f.id AS id, f.scheme AS scheme, f.amount AS amount, f.start_date AS start_date,
       f.end_date AS end_date, f.source AS source, y.id AS target, y.population AS population,
       leaves
ORDER BY id
