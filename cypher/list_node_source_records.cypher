// The source records describing the actors or services with an id in $ids: `canonical`,
// `source`, `kind`, `table`, `source_id`, `values` (JSON of what the source says).
MATCH (r:SourceRecord)
WHERE r.canonical IN $ids AND r.how <> 'queued'
RETURN r.canonical AS canonical, r.source AS source, r.kind AS kind, r.table AS table,
       r.source_id AS source_id, r.values AS values
ORDER BY canonical, source
