-- Re-evaluate partners (NULL: every partner) as of a date with flagging's
-- window; log and notify each level change, then each status change; keep
-- what was seen; return the number of level changes.
CREATE OR REPLACE FUNCTION @extschema@.cp_flag(partner_ids bigint[],
                                              as_of date DEFAULT @extschema@.cp_flagging_date())
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    evaluated @extschema@.cp_evaluation[];
    changes integer;
BEGIN
    -- a date that is no day, or whose window starts before the earliest
    -- date, is refused before anything is locked
    PERFORM @extschema@.cp_window_start(as_of, @extschema@.cp_flagging_window(), 'as_of'::pg_catalog.text);
    PERFORM @extschema@.cp_check_triggers();
    IF partner_ids IS NOT NULL AND pg_catalog.cardinality(partner_ids) OPERATOR(pg_catalog.=) 0 THEN
        RETURN 0;
    END IF;

    -- one evaluation per partner at a time, in ascending order
    PERFORM 1 FROM @extschema@.cp_partner p
    WHERE partner_ids IS NULL OR p.partner_id OPERATOR(pg_catalog.=) ANY (partner_ids)
    ORDER BY p.partner_id FOR NO KEY UPDATE;

    evaluated := ARRAY(SELECT e FROM @extschema@.cp_evaluate_for_flags(as_of, @extschema@.cp_flagging_window(),
                                                                       partner_ids) e);
    changes := @extschema@.cp_log_levels(evaluated, partner_ids);
    PERFORM @extschema@.cp_log_statuses(evaluated, partner_ids);
    PERFORM @extschema@.cp_keep_evaluations(evaluated, as_of);
    RETURN changes;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_flag(bigint[], date) IS
  'Internal: re-evaluates partners (NULL: all) as of a date with competency.flagging_window, logs and notifies level and status changes, keeps the levels and statuses; returns the number of level changes';
