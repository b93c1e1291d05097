// Create referrals in status `proposed` for one patient, made by one actor (rows: id,
// service, note). Every row's service must exist (checked before). Returns `id` per referral.
MATCH (p:Patient {id: $patient}), (b:Actor {id: $actor})
UNWIND $rows AS row
MATCH (s:Service {id: row.service})
CREATE (r:Referral {id: row.id, status: 'proposed', created: $now, updated: $now,
                    note: row.note})
CREATE (r)-[:FOR]->(p)
CREATE (r)-[:TO]->(s)
CREATE (r)-[:BY]->(b)
RETURN r.id AS id
