// Actors by id, for batched look-ups: `id`, `name`, `kind`, `line`, `discipline`,
// `languages`, `lat`, `lon`, `zone`. Unknown ids give no row.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (a:Actor {id: wanted})
OPTIONAL MATCH (a)-[:LOCATED_IN]->(home:Zone)
RETURN a.id AS id, a.name AS name, a.kind AS kind, a.line AS line,
       a.discipline AS discipline, a.languages AS languages, a.lat AS lat, a.lon AS lon,
       home.id AS zone
