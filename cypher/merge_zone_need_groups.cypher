// Record zones' population needs grouped by zone, one zone lookup per zone instead of one per
// need (rows: zone, needs: that zone's zone_needs rows, of which need, people, year and source
// are read). Returns `written`: needs recorded.
// touches: demand
// idempotent: yes
UNWIND $rows AS row
MATCH (z:Zone {id: row.zone})
UNWIND row.needs AS need
MATCH (n:NeedType {code: need.need})
MERGE (z)-[h:HAS_NEED]->(n)
SET h.people = need.people, h.year = need.year, h.source = need.source
RETURN count(*) AS written
