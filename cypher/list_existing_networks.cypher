// Which of the given keys ($keys) are already Network nodes in the database: `key`.
// idempotent: yes
UNWIND $keys AS k
MATCH (n:Network {id: k})
RETURN n.id AS key
