-- At commit (a deferred constraint trigger; SET CONSTRAINTS ... IMMEDIATE
-- makes it run at the end of each statement): a set in force from some
-- date must be complete (23514, naming the set and what it lacks); then, if
-- the write touched a dated set (before or after), every partner is
-- re-evaluated once for all the rule writes counted so far, levels and
-- statuses, under the set in force today.  Restores, and sessions that
-- pause flagging, skip both.
CREATE FUNCTION @extschema@.cp_rule_set_complete() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s text;
    dated boolean := false;
    missing text;
    writes text := coalesce(nullif(pg_catalog.current_setting('cp_rules.writes', true), ''), '0');
BEGIN
    IF NOT @extschema@.cp_flagging_active() THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'cp_rule_set' AND TG_OP OPERATOR(pg_catalog.<>) 'INSERT' THEN
        dated := OLD.effective_from IS NOT NULL;
    END IF;
    FOREACH s IN ARRAY ARRAY[CASE WHEN TG_OP OPERATOR(pg_catalog.<>) 'DELETE' THEN NEW.rule_set END,
                             CASE WHEN TG_OP OPERATOR(pg_catalog.<>) 'INSERT' THEN OLD.rule_set END] LOOP
        CONTINUE WHEN s IS NULL OR NOT EXISTS (SELECT 1 FROM @extschema@.cp_rule_set r
                                               WHERE r.rule_set OPERATOR(pg_catalog.=) s
                                                 AND r.effective_from IS NOT NULL);
        dated := true;
        missing := @extschema@.cp_rule_set_missing(s);
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = pg_catalog.format('rule set "%s" is in force from %s but incomplete: it lacks %s',
                                            s, (SELECT r.effective_from FROM @extschema@.cp_rule_set r
                                                WHERE r.rule_set OPERATOR(pg_catalog.=) s), missing),
                HINT = 'Complete it in the same transaction, or make it a draft (effective_from NULL).';
        END IF;
    END LOOP;
    IF dated AND writes OPERATOR(pg_catalog.<>)
                 coalesce(nullif(pg_catalog.current_setting('cp_rules.flagged', true), ''), '') THEN
        PERFORM pg_catalog.set_config('cp_rules.flagged', writes, true);
        PERFORM @extschema@.cp_flag(NULL::pg_catalog.int8[], @extschema@.cp_flagging_date());
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_rule_set_complete() IS
  'Constraint trigger, at commit: refuses an incomplete rule set that is in force from some date (23514), then re-evaluates every partner once if a dated set was written';
