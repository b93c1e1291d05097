// The records of source $source (every source when $source is null) with the current
// values of what they describe: `source`, `kind`, `table`, `source_id`, `canonical`, `values` (JSON
// of what the source says), `props` (the canonical node's properties), `covers`.
MATCH (r:SourceRecord)-[:DESCRIBES]->(n)
WHERE $source IS NULL OR r.source = $source
OPTIONAL MATCH (n)-[:COVERS]->(z:Zone)
WITH r, n, collect(z.id) AS covers
OPTIONAL MATCH (n)-[:OF_TYPE]->(t:ServiceType)
OPTIONAL MATCH (n)-[:LOCATED_IN]->(home:Zone)
RETURN r.source AS source, r.kind AS kind, r.table AS table, r.source_id AS source_id,
       r.canonical AS canonical, r.values AS values, properties(n) AS props, covers,
       t.code AS type, home.id AS zone
ORDER BY source, table, source_id
