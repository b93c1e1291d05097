// The properties of the services $ids (their directory detail among them): `id`, `props`.
// idempotent: yes
MATCH (s:Service)
WHERE s.id IN $ids
RETURN s.id AS id, properties(s) AS props
ORDER BY id
