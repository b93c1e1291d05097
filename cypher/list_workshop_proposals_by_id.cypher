// Workshop proposals with an id in $ids, whatever their status, with their workshop's
// provenance: `id`, `kind`, `status`, `workshop`, `date`, `facilitator`, `map_zone`, `name`,
// `line`, `zone`, `note`, `actor`.
// idempotent: yes
UNWIND $ids AS wanted
MATCH (p:WorkshopProposal {id: wanted})
RETURN p.id AS id, p.kind AS kind, p.status AS status, p.workshop AS workshop,
       p.date AS date, p.facilitator AS facilitator, p.map_zone AS map_zone, p.name AS name,
       p.line AS line, p.zone AS zone, p.note AS note, p.actor AS actor
ORDER BY id
