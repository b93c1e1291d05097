// Create services with their provider, main type and the zones each covers (rows: id, actor,
// type, name, capacity, capacity_provenance, available, languages, eligibility, status, covers): a bulk load into
// a graph without services, so that no old link has to be looked for. The uniqueness
// constraint on Service.id refuses the whole batch if one of its services exists (the load
// then merges it with merge_services and merge_service_coverage). Returns `written`: COVERS
// links created.
// touches: supply(rows.id)
// idempotent: no
UNWIND $rows AS row
MATCH (a:Actor {id: row.actor}), (t:ServiceType {code: row.type})
CREATE (a)-[:PROVIDES]->(s:Service {id: row.id, name: row.name, capacity: row.capacity,
                                    capacity_provenance: row.capacity_provenance,
                                    available: row.available, languages: row.languages,
                                    eligibility: row.eligibility, status: row.status})
CREATE (s)-[:OF_TYPE]->(t)
WITH s, row
UNWIND row.covers AS zone_id
MATCH (z:Zone {id: zone_id})
CREATE (s)-[:COVERS]->(z)
RETURN count(*) AS written
