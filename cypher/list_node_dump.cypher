// Every node as plain values, for digests and exports: `label`, `props` (a map).
MATCH (n)
RETURN labels(n)[0] AS label, properties(n) AS props
