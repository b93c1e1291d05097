// The relationships leaving the nodes whose internal id is in [$from, $to), as
// list_relationship_dump: `type`, `source` and `target` (each node's label and key as
// "Label:key"), `props` (a map). One page of a dump read in id ranges (graphsvc.core.digest).
// idempotent: yes
MATCH (a)-[r]->(b)
WHERE id(a) >= $from AND id(a) < $to
RETURN type(r) AS type,
       labels(a)[0] + ':' + coalesce(a.id, a.code) AS source,
       labels(b)[0] + ':' + coalesce(b.id, b.code) AS target,
       properties(r) AS props
