-- The built-in set 2017-07 always means the seed's rules: no row of it is
-- inserted, changed (a no-op update or a rename included) or deleted, by
-- any role, superusers included; and no rule table is truncated.
CREATE FUNCTION @extschema@.cp_rule_protect() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('%s cannot be truncated: it holds the built-in rule set 2017-07', TG_TABLE_NAME),
            HINT = 'Delete the rows of the sets you mean (DELETE FROM cp_rule_set WHERE ... removes a set with its rows).';
    END IF;
    IF (TG_OP OPERATOR(pg_catalog.<>) 'INSERT' AND OLD.rule_set OPERATOR(pg_catalog.=) '2017-07')
       OR (TG_OP OPERATOR(pg_catalog.<>) 'DELETE' AND NEW.rule_set OPERATOR(pg_catalog.=) '2017-07') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('rule set 2017-07 is built in: its rows in %s cannot be %s',
                                        TG_TABLE_NAME,
                                        CASE TG_OP WHEN 'INSERT' THEN 'added to' WHEN 'UPDATE' THEN 'changed'
                                                   ELSE 'deleted' END),
            DETAIL = 'The built-in set is the July 2017 rules, evaluated by the compiled rules; its rows only describe them.',
            HINT = 'Add a set of your own (a copy of 2017-07 under another name) and change that.';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION @extschema@.cp_rule_protect() IS
  'Trigger: refuses any write to a row of the built-in rule set 2017-07, and TRUNCATE of a rule table (42501)';
