// Every node as plain values, for digests and exports: `label`, `props` (a map).
// idempotent: yes
MATCH (n)
RETURN labels(n)[0] AS label, properties(n) AS props
