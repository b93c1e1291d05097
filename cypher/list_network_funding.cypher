// Funding lines that FUNDS a network or team working in (WORKS_IN) a zone over some finest
// zone inside zone $zone: `id`, `scheme`, `amount`, `start_date`, `end_date`, `source`,
// `network`, `target` (the zone the network works in), `population` (of that zone),
// `leaves` (the finest zones inside $zone under it).
// idempotent: yes
MATCH (root:Zone {id: $zone})
MATCH (k:Zone)-[:PART_OF*0..]->(root)
WHERE NOT (k)<-[:PART_OF]-(:Zone)
MATCH (k)-[:PART_OF*0..]->(y:Zone)<-[:WORKS_IN]-(w:Network)<-[:FUNDS]-(f:Funding)
WITH f, w, y, collect(DISTINCT k.id) AS leaves
RETURN f.id AS id, f.scheme AS scheme, f.amount AS amount, f.start_date AS start_date,
       f.end_date AS end_date, f.source AS source, w.id AS network, y.id AS target,
       y.population AS population, leaves
ORDER BY id
