// Every actor for a bundle export: `id`, `name`, `kind`, `line`, `discipline`, `languages`,
// `lat`, `lon`, `zone` (LOCATED_IN), and the identifiers `nihdi`, `kbo`, `afmps` (or null).
// idempotent: yes
MATCH (a:Actor)
RETURN a.id AS id, a.name AS name, a.kind AS kind, a.line AS line,
       a.discipline AS discipline, a.languages AS languages, a.lat AS lat, a.lon AS lon,
       [(a)-[:LOCATED_IN]->(z:Zone) | z.id] AS zones,
       a.nihdi AS nihdi, a.kbo AS kbo, a.afmps AS afmps
ORDER BY id
