// Every actor with what entity matching and survivorship compare: `id`, `name`, `kind`,
// `line`, `discipline`, `languages`, `lat`, `lon`, `zone`, `nihdi`, `kbo`, `afmps`, and
// `records` (a list of {source, kind, values} maps of the source records describing it).
MATCH (a:Actor)
OPTIONAL MATCH (a)-[:LOCATED_IN]->(z:Zone)
OPTIONAL MATCH (r:SourceRecord)-[:DESCRIBES]->(a)
WITH a, z, collect({source: r.source, kind: r.kind, values: r.values, how: r.how}) AS records
RETURN a.id AS id, a.name AS name, a.kind AS kind, a.line AS line,
       a.discipline AS discipline, a.languages AS languages, a.lat AS lat, a.lon AS lon,
       z.id AS zone, a.nihdi AS nihdi, a.kbo AS kbo, a.afmps AS afmps,
       [x IN records WHERE x.source IS NOT NULL AND x.how <> 'queued'] AS records
ORDER BY id
