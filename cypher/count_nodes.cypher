// Number of nodes per label: `label`, `count`.
// idempotent: yes
MATCH (n)
RETURN labels(n)[0] AS label, count(n) AS count
ORDER BY label
