// Proposals already stored for workshop $workshop, whatever their status: `id`, `status`.
MATCH (p:WorkshopProposal {workshop: $workshop})
RETURN p.id AS id, p.status AS status
ORDER BY id
