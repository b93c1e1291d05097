// Remove every node and relationship of the graph (tests and `graphsvc db reset`).
// Returns `deleted`: the number of nodes removed.
// idempotent: no
MATCH (n)
DETACH DELETE n
RETURN count(n) AS deleted
