CREATE FUNCTION @extschema@.cp_is_cloud_productivity(name text) RETURNS boolean
AS 'MODULE_PATHNAME', 'cp_is_cloud_productivity'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cp_is_cloud_productivity(text) IS
  'Whether a competency name is a spelling of Cloud Productivity (compared as workload spellings are)';
