// Upsert funding lines by id (rows: id, scheme, amount, start_date, end_date, source).
// What each funds is set by merge_funding_zones / merge_funding_networks. Returns `written`.
// touches: network
// idempotent: yes
UNWIND $rows AS row
MERGE (f:Funding {id: row.id})
SET f.scheme = row.scheme, f.amount = row.amount, f.start_date = row.start_date,
    f.end_date = row.end_date, f.source = row.source
RETURN count(*) AS written
