CREATE OR REPLACE FUNCTION @extschema@.cp_evaluate_series(start date, stop date,
                                                         step interval DEFAULT '1 month')
RETURNS TABLE (as_of date, partner_id bigint, market @extschema@.cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level @extschema@.competency_level, next_level @extschema@.competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT d.as_of, e.*
FROM @extschema@.cp_series_dates(start, stop, step) AS d(as_of)
CROSS JOIN LATERAL @extschema@.cp_evaluate(d.as_of) e
WHERE @extschema@.cp_window_start(start, @extschema@.cp_usage_window(), 'start'::pg_catalog.text) IS NOT NULL
$$;
