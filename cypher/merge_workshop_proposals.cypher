// Store workshop proposals (rows: id, kind, workshop, date, facilitator, map_zone, source,
// target, type, name, line, zone, actor, text, note). A new one is `proposed`; one already
// confirmed keeps its status. Each is linked to its Workshop. Returns `written`.
UNWIND $rows AS row
MATCH (w:Workshop {id: row.workshop})
MERGE (p:WorkshopProposal {id: row.id})
ON CREATE SET p.status = 'proposed'
SET p.kind = row.kind, p.workshop = row.workshop, p.date = row.date,
    p.facilitator = row.facilitator, p.map_zone = row.map_zone, p.source = row.source,
    p.target = row.target, p.type = row.type, p.name = row.name, p.line = row.line,
    p.zone = row.zone, p.actor = row.actor, p.text = row.text, p.note = row.note
MERGE (w)-[:PROPOSED]->(p)
RETURN count(p) AS written
