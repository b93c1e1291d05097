// The span of internal node ids, for paging a dump by id ranges (graphsvc.core.digest):
// `top` (the largest id; null in an empty graph) and `nodes` (how many nodes).
// idempotent: yes
MATCH (n)
RETURN max(id(n)) AS top, count(n) AS nodes
