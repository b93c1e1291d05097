// Every actor's properties for a bundle export of its directory detail: `id`, `props`.
// idempotent: yes
MATCH (a:Actor)
RETURN a.id AS id, properties(a) AS props
ORDER BY id
