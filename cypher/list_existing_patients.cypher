// Which of the given keys ($keys) are already Patient nodes in the database: `key`.
// idempotent: yes
UNWIND $keys AS k
MATCH (n:Patient {id: k})
RETURN n.id AS key
