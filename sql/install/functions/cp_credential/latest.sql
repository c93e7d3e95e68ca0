CREATE FUNCTION cp_credential(credential text) RETURNS text
AS 'MODULE_PATHNAME', 'cp_credential'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cp_credential(text) IS
  'Canonical name of a qualifying credential spelling (70-346, 70-347, MCSA: Office 365); NULL otherwise';
