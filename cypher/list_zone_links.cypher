// Every relationship of the given zones ($ids), for checking a migration: `zone`, `type`,
// `outgoing` (true when the zone is its start), `label` and `other` (id, or code) of the node
// at the other end.
UNWIND $ids AS wanted
MATCH (z:Zone {id: wanted})-[r]-(o)
RETURN z.id AS zone, type(r) AS type, startNode(r).id = wanted AS outgoing,
       labels(o)[0] AS label, coalesce(o.id, o.code) AS other
ORDER BY zone, type, other
