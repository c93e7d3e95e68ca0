-- At commit (a deferred constraint trigger; SET CONSTRAINTS ... IMMEDIATE
-- makes it run at the end of each statement): a set in force from some
-- date must be complete (23514, naming the set and what it lacks); then, if
-- the row belongs to a set that is dated now or was before the
-- transaction's first rule write, every partner is re-evaluated, once for
-- all the rule writes so far (cp_rule_flag_due), levels and statuses,
-- under the set in force today.  Restores, and sessions that pause
-- flagging, skip both.
CREATE FUNCTION @extschema@.cp_rule_set_complete() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s text;
    dated boolean := false;
    missing text;
BEGIN
    IF NOT @extschema@.cp_flagging_active() THEN
        RETURN NULL;
    END IF;
    FOREACH s IN ARRAY ARRAY[CASE WHEN TG_OP OPERATOR(pg_catalog.<>) 'DELETE' THEN NEW.rule_set END,
                             CASE WHEN TG_OP OPERATOR(pg_catalog.<>) 'INSERT' THEN OLD.rule_set END] LOOP
        CONTINUE WHEN s IS NULL;
        dated := dated OR @extschema@.cp_rule_was_dated(s);
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM @extschema@.cp_rule_set r
                                  WHERE r.rule_set OPERATOR(pg_catalog.=) s AND r.effective_from IS NOT NULL);
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
    IF dated AND @extschema@.cp_rule_flag_due() THEN
        PERFORM @extschema@.cp_flag(NULL::pg_catalog.int8[], @extschema@.cp_flagging_date());
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_rule_set_complete() IS
  'Constraint trigger, at commit: refuses an incomplete rule set that is in force from some date (23514), then re-evaluates every partner once if a set dated now or before the transaction was written';
