// Which of the given keys ($keys) are already Action nodes in the database: `key`.
// idempotent: yes
UNWIND $keys AS k
MATCH (n:Action {id: k})
RETURN n.id AS key
