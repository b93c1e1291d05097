// Services by id as targets of new referrals for one patient: `id`, `status`, `available`,
// `open` (how many referrals in one of $statuses this patient already has to it). Unknown ids
// give no row.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (s:Service {id: wanted})
OPTIONAL MATCH (s)<-[:TO]-(r:Referral)-[:FOR]->(:Patient {id: $patient})
WHERE r.status IN $statuses
RETURN s.id AS id, s.status AS status, s.available AS available, count(r) AS open
