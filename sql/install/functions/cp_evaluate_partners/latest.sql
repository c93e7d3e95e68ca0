-- cp_evaluate with an explicit usage window and partners, under the rule
-- set in force on as_of (a NULL date is refused by the evaluation's own
-- check, so it looks up the set of -infinity, the built-in one).
CREATE OR REPLACE FUNCTION @extschema@.cp_evaluate_partners(as_of date, window_days integer, partner_ids bigint[])
RETURNS TABLE (partner_id bigint, market @extschema@.cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level @extschema@.competency_level, next_level @extschema@.competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT f.partner_id, f.market, f.active_entitlements, f.qualified_individuals,
       f.level, f.next_level, f.entitlements_short, f.individuals_short
FROM @extschema@.cp_partner_figures(as_of, window_days, partner_ids, false,
                                    @extschema@.cp_rule_set_on(coalesce(as_of, '-infinity'::pg_catalog.date))) f
$$;
COMMENT ON FUNCTION @extschema@.cp_evaluate_partners(date, integer, bigint[]) IS
  'cp_evaluate with an explicit usage window (days) for the given partners (NULL: all), under the rule set in force on the date';
