// A planner ($planner, at $at) confirms workshop proposals ($ids, still proposed): they are
// no longer shown as proposed, and a confirmed tie becomes a COLLABORATES_WITH of its type
// since the workshop's year (an existing collaboration is kept as it is). Returns `confirmed`.
UNWIND $ids AS wanted
MATCH (p:WorkshopProposal {id: wanted, status: 'proposed'})
SET p.status = 'confirmed', p.confirmed_by = $planner, p.confirmed_at = $at
WITH p
OPTIONAL MATCH (a:Actor {id: p.source}), (b:Actor {id: p.target})
FOREACH (_ IN CASE WHEN p.kind = 'tie' AND a IS NOT NULL AND b IS NOT NULL THEN [1] ELSE [] END |
  MERGE (a)-[c:COLLABORATES_WITH]->(b)
  ON CREATE SET c.kind = p.type, c.since = toInteger(substring(p.date, 0, 4))
)
RETURN count(p) AS confirmed
