// Every funding line for a bundle export: `id`, `zones` and `networks` (what it FUNDS),
// `scheme`, `amount`, `start_date`, `end_date`, `source`.
// idempotent: yes
MATCH (f:Funding)
RETURN f.id AS id, [(f)-[:FUNDS]->(z:Zone) | z.id] AS zones,
       [(f)-[:FUNDS]->(w:Network) | w.id] AS networks, f.scheme AS scheme,
       f.amount AS amount, f.start_date AS start_date, f.end_date AS end_date,
       f.source AS source
ORDER BY id
