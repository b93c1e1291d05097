// Which of the given keys ($keys) are already Service nodes in the database: `key`.
// idempotent: yes
UNWIND $keys AS k
MATCH (n:Service {id: k})
RETURN n.id AS key
