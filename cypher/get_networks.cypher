// Networks by id: `id`, `name`, `kind`, `zone` (the zone it works in, or null). Unknown ids
// give no row.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (w:Network {id: wanted})
OPTIONAL MATCH (w)-[:WORKS_IN]->(z:Zone)
RETURN w.id AS id, w.name AS name, w.kind AS kind, z.id AS zone
