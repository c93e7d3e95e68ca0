CREATE FUNCTION cp_workload(workload text) RETURNS text
AS 'MODULE_PATHNAME', 'cp_workload'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_workload(text) IS
  'Canonical name of an eligible workload spelling (exchange_online, sharepoint_online, skype_for_business, yammer, proplus); NULL if not eligible';
