-- What-if: cp_evaluate under a named rule set, drafts included, whatever
-- its dates.  The set is checked first: NULL 22023, unknown 42704,
-- incomplete 55000, even when there is no partner.
CREATE FUNCTION @extschema@.cp_evaluate(as_of date, rule_set text)
RETURNS TABLE (partner_id bigint, market @extschema@.cp_market,
               active_entitlements bigint, qualified_individuals integer,
               level @extschema@.competency_level, next_level @extschema@.competency_level,
               entitlements_short bigint, individuals_short integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT f.partner_id, f.market, f.active_entitlements, f.qualified_individuals,
       f.level, f.next_level, f.entitlements_short, f.individuals_short
FROM @extschema@.cp_partner_figures(as_of, @extschema@.cp_usage_window(), NULL::pg_catalog.int8[], false,
                                    rule_set) f
$$;
COMMENT ON FUNCTION @extschema@.cp_evaluate(date, text) IS
  'What-if: every partner''s figures, level and what is missing for the next as of a date under the named rule set (drafts included)';
