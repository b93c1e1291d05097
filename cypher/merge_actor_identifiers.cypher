// Keep identifiers from other registers on actors (rows: id, nihdi, kbo, afmps; null keeps
// the value already there). Returns `written`.
// touches: actors
// idempotent: yes
UNWIND $rows AS row
MATCH (a:Actor {id: row.id})
SET a.nihdi = coalesce(row.nihdi, a.nihdi), a.kbo = coalesce(row.kbo, a.kbo),
    a.afmps = coalesce(row.afmps, a.afmps)
RETURN count(*) AS written
