// Workshop proposals of a zone not yet confirmed: `id`, `kind` (tie, actor, priority),
// `workshop`, `date`, `facilitator`, `source`, `target`, `type`, `name`, `line`, `zone`,
// `actor`, `text`, `note` (null where the kind has no such field).
MATCH (p:WorkshopProposal {map_zone: $zone, status: 'proposed'})
RETURN p.id AS id, p.kind AS kind, p.workshop AS workshop, p.date AS date,
       p.facilitator AS facilitator, p.source AS source, p.target AS target, p.type AS type,
       p.name AS name, p.line AS line, p.zone AS zone, p.actor AS actor, p.text AS text,
       p.note AS note
ORDER BY id
