// Missing-actor proposals (rows: proposal, actor) still proposed name the actor they became:
// `actor` is set and the proposal BECAME that actor. Returns `written`.
// touches: workshop
// idempotent: yes
UNWIND $rows AS row
MATCH (p:WorkshopProposal {id: row.proposal, status: 'proposed'}), (a:Actor {id: row.actor})
SET p.actor = a.id
MERGE (p)-[:BECAME]->(a)
RETURN count(p) AS written
