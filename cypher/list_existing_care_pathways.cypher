// Which of the given keys ($keys) are already CarePathway nodes in the database: `key`.
// idempotent: yes
UNWIND $keys AS k
MATCH (n:CarePathway {id: k})
RETURN n.id AS key
