// Which of the given keys ($keys) are already Actor nodes in the database: `key`.
// idempotent: yes
UNWIND $keys AS k
MATCH (n:Actor {id: k})
RETURN n.id AS key
