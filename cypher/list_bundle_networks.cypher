// Every network for a bundle export: `id`, `name`, `kind`.
// idempotent: yes
MATCH (n:Network)
RETURN n.id AS id, n.name AS name, n.kind AS kind
ORDER BY id
