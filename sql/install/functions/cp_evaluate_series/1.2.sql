CREATE OR REPLACE FUNCTION cp_evaluate_series(start date, stop date, step interval DEFAULT '1 month')
RETURNS TABLE (as_of date, partner_id bigint, market cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level competency_level, next_level competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT d.as_of, e.*
FROM (SELECT g::date AS as_of
      FROM pg_catalog.generate_series(start::timestamptz, stop::timestamptz, step) g
      WHERE @extschema@.cp_require_date(start, 'start'::text)
        AND @extschema@.cp_require_date(stop, 'stop'::text)
        AND @extschema@.cp_require_step(step)) d
CROSS JOIN LATERAL @extschema@.cp_evaluate(d.as_of) e
$$;
