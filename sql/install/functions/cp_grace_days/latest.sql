CREATE FUNCTION @extschema@.cp_grace_days() RETURNS integer
AS 'MODULE_PATHNAME', 'cp_grace_days'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_grace_days() IS
  'competency.grace_days: days a level is still held after its membership year ends unrenewed';
