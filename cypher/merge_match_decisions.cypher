// Record decisions on queued pairs (rows: key, source, source_id, canonical, decision,
// decided_at); a later decision on the same pair replaces the earlier. Returns `written`.
UNWIND $rows AS row
MERGE (d:MatchDecision {key: row.key})
SET d.source = row.source, d.source_id = row.source_id, d.canonical = row.canonical,
    d.decision = row.decision, d.decided_at = row.decided_at
RETURN count(*) AS written
