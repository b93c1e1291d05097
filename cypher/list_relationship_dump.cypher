// Every relationship as plain values: `type`, `source` and `target` (each node's label and
// key as "Label:key"), `props` (a map).
// idempotent: yes
MATCH (a)-[r]->(b)
RETURN type(r) AS type,
       labels(a)[0] + ':' + coalesce(a.id, a.code) AS source,
       labels(b)[0] + ':' + coalesce(b.id, b.code) AS target,
       properties(r) AS props
