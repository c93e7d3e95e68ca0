CREATE FUNCTION @extschema@.cp_staging_role() RETURNS name
AS 'MODULE_PATHNAME', 'cp_staging_role'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_staging_role() IS
  'The role whose staged Partner Center rows this session sees and loads: the current role, whatever security definer function runs';
