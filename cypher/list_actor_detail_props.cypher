// The properties of the actors $ids (their directory detail among them): `id`, `props`.
// idempotent: yes
MATCH (a:Actor)
WHERE a.id IN $ids
RETURN a.id AS id, properties(a) AS props
ORDER BY id
