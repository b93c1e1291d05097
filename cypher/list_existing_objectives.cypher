// Which of the given keys ($keys) are already Objective nodes in the database: `key`.
// idempotent: yes
UNWIND $keys AS k
MATCH (n:Objective {id: k})
RETURN n.id AS key
