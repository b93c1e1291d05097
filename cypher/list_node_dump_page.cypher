// The nodes whose internal id is in [$from, $to), as list_node_dump: `label`, `props` (a
// map). One page of a dump that is read in id ranges (graphsvc.core.digest).
// idempotent: yes
MATCH (n)
WHERE id(n) >= $from AND id(n) < $to
RETURN labels(n)[0] AS label, properties(n) AS props
