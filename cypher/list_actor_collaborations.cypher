// Collaborations (COLLABORATES_WITH, either direction) between an actor in $ids and another
// actor in $others: `actor` (from $ids), `other` (from $others), `kind`. A pair with both
// ends in both lists appears once from each side.
// idempotent: yes
MATCH (a:Actor)-[c:COLLABORATES_WITH]-(b:Actor)
WHERE a.id IN $ids AND b.id IN $others AND a.id <> b.id
RETURN DISTINCT a.id AS actor, b.id AS other, c.kind AS kind
ORDER BY actor, other
