// The records of source $source: `table`, `source_id`, `canonical` (the id of the actor or
// service it became, or the candidate of a queued pair), `how`, `score`, `gone`, `values`.
MATCH (r:SourceRecord {source: $source})
RETURN r.table AS table, r.source_id AS source_id, r.canonical AS canonical, r.how AS how,
       r.score AS score, r.gone AS gone, r.values AS values
ORDER BY table, source_id
