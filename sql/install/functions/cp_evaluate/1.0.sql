CREATE FUNCTION cp_evaluate(as_of date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, market cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level competency_level, next_level competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT * FROM @extschema@.cp_evaluate_partners(as_of, @extschema@.cp_usage_window(), NULL::bigint[])
$$;
COMMENT ON FUNCTION cp_evaluate(date) IS
  'Every partner''s figures and level as of a date, with what is still missing for the next level';
