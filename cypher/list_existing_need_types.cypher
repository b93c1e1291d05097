// Which of the given keys ($keys) are already NeedType nodes in the database: `key`.
// idempotent: yes
UNWIND $keys AS k
MATCH (n:NeedType {code: k})
RETURN n.code AS key
