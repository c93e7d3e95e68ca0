-- Install anywhere: the extension in a schema that is not on the
-- search_path (with a name that needs quoting) works entirely -- aggregates,
-- evaluation, flagging triggers, refresh, explain, series, import -- also
-- with search_path = pg_catalog (as postgres_fdw's remote sessions) or empty.
-- Then DROP EXTENSION ... CASCADE and CREATE EXTENSION again.
DROP EXTENSION competency CASCADE;
CREATE SCHEMA "Compliance Data";
CREATE EXTENSION competency SCHEMA "Compliance Data";
SELECT n.nspname FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
WHERE x.extname = 'competency';

CREATE FUNCTION regress.check_anywhere() RETURNS TABLE (step text, result text)
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "Compliance Data".cp_partner VALUES (1, 'Contoso', 'developed');
    INSERT INTO "Compliance Data".cp_association
    VALUES (1, '00000000-0000-0000-0000-000000000001', 'delegated_admin', current_date - 5, NULL);
    INSERT INTO "Compliance Data".cp_person VALUES (1, 1, 'Ann');
    INSERT INTO "Compliance Data".cp_credential VALUES (1, 'MCSA: Office 365', current_date - 5, NULL);
    INSERT INTO "Compliance Data".cp_usage
    VALUES ('00000000-0000-0000-0000-000000000001', 'EXO', 'E3', false, 2500, current_date);
    RETURN QUERY SELECT 'flagged', string_agg(old_level || '->' || new_level, ',')
                 FROM "Compliance Data".cp_level_change;
    RETURN QUERY SELECT 'aggregate', "Compliance Data".cp_active_entitlements(
                     tenant_id, workload, sku, active_users, is_trial, measured_on)::text
                 FROM "Compliance Data".cp_usage;
    RETURN QUERY SELECT 'individuals', "Compliance Data".cp_qualified_individuals(person_id, credential)::text
                 FROM "Compliance Data".cp_credential;
    RETURN QUERY SELECT 'evaluate', level::text FROM "Compliance Data".cp_evaluate();
    RETURN QUERY SELECT 'status', name || ' ' || level FROM "Compliance Data".cp_partner_status;
    RETURN QUERY SELECT 'explain', count(*) FILTER (WHERE counted)::text FROM "Compliance Data".cp_explain(1);
    RETURN QUERY SELECT 'series', count(*)::text
                 FROM "Compliance Data".cp_evaluate_series('2026-01-01', '2026-03-01');
    RETURN QUERY SELECT 'level', "Compliance Data".cp_level('developing', 1000, 1)::text;
    INSERT INTO "Compliance Data".cp_partner_center_usage
        ("customerTenantId", "workloadCode", "productId", "licensesActive", "processedDateTime")
    VALUES ('00000000-0000-0000-0000-000000000001', 'SPO', 'E3', '4100', current_date::text);
    RETURN QUERY SELECT 'import', loaded || '/' || rejected
                 FROM "Compliance Data".cp_load_partner_center_usage();
    INSERT INTO "Compliance Data".cp_person VALUES (2, 1, 'Bo');
    INSERT INTO "Compliance Data".cp_credential VALUES (2, 'MCSA: Office 365', current_date - 5, NULL);
    RETURN QUERY SELECT 'flagged again', string_agg(old_level || '->' || new_level, ',' ORDER BY change_id)
                 FROM "Compliance Data".cp_level_change;
    RETURN QUERY SELECT 'refresh later', "Compliance Data".cp_refresh_levels(current_date + 60)::text;
    RETURN QUERY SELECT 'refresh today', "Compliance Data".cp_refresh_levels()::text;
    DELETE FROM "Compliance Data".cp_partner;
    RETURN QUERY SELECT 'deleted', string_agg(old_level || '->' || new_level, ',' ORDER BY change_id)
                 FROM "Compliance Data".cp_level_change;
    TRUNCATE "Compliance Data".cp_usage, "Compliance Data".cp_level_change;
END
$$;

SET search_path = public, regress;
SELECT * FROM regress.check_anywhere();
SET search_path = pg_catalog;
SELECT * FROM regress.check_anywhere();
SET search_path = '';
SELECT * FROM regress.check_anywhere();
RESET search_path;

-- Down to nothing and back, in the default schema for the tests that follow.
DROP EXTENSION competency CASCADE;
SELECT count(*) AS left_behind FROM pg_class WHERE relname LIKE 'cp\_%';
DROP SCHEMA "Compliance Data";
CREATE EXTENSION competency;
SELECT extversion = default_version AS newest
FROM pg_extension JOIN pg_available_extensions ON name = extname WHERE extname = 'competency';
DROP FUNCTION regress.check_anywhere();
