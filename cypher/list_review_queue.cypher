// Source records queued for review (of source $source, every source when null) with their
// candidate and the decision taken, if any: `source`, `source_id`, `candidate`,
// `candidate_name`, `score`, `values` (JSON), `decision`.
MATCH (r:SourceRecord {how: 'queued'})
WHERE ($source IS NULL OR r.source = $source) AND r.gone = false
OPTIONAL MATCH (a:Actor {id: r.canonical})
OPTIONAL MATCH (d:MatchDecision {key: r.key})
RETURN r.source AS source, r.source_id AS source_id, r.canonical AS candidate,
       a.name AS candidate_name, r.score AS score, r.values AS values, d.decision AS decision
ORDER BY source, source_id
