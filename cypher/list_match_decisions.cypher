// The steward's decisions on queued pairs of source $source: `source_id`, `canonical`,
// `decision` (accept or reject).
MATCH (d:MatchDecision {source: $source})
RETURN d.source_id AS source_id, d.canonical AS canonical, d.decision AS decision
ORDER BY source_id, canonical
