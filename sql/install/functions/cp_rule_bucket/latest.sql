-- A rule set's row of cp_flag_lock (2048-2111): writers of one set lock
-- and touch it, so that a check sees what a concurrent writer committed
-- (or, under REPEATABLE READ or SERIALIZABLE, fails with 40001).
CREATE FUNCTION @extschema@.cp_rule_bucket(rule_set text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT 2048 OPERATOR(pg_catalog.+) (pg_catalog.hashtext(rule_set) OPERATOR(pg_catalog.&) 63) $$;
COMMENT ON FUNCTION @extschema@.cp_rule_bucket(text) IS 'Internal: the cp_flag_lock row of a rule set';
