-- Flagging level changes: each kind of change, no-ops,
-- bulk statements, deletion, refresh at a later date, pausing, restore
-- sessions, the configured window, privileges and search_path.
SELECT regress.reset();

-- The change log and stored levels, compactly; and the invariants: stored
-- levels equal a fresh evaluation, and each partner's changes chain from none.
CREATE FUNCTION regress.changes() RETURNS TABLE (id bigint, partner bigint, change text, ae bigint, qi int)
LANGUAGE sql AS $$
    SELECT change_id, partner_id, old_level || ' -> ' || new_level,
           active_entitlements, qualified_individuals
    FROM cp_level_change ORDER BY change_id
$$;
CREATE FUNCTION regress.invariants() RETURNS TABLE (stored_equals_evaluated boolean, chains boolean)
LANGUAGE sql AS $$
    SELECT (SELECT count(*) = 0 FROM cp_evaluate(current_date) e
            LEFT JOIN cp_partner_level pl USING (partner_id)
            WHERE coalesce(pl.level, 'none') <> e.level)
       AND (SELECT count(*) = 0 FROM cp_partner_level pl
            WHERE NOT EXISTS (SELECT 1 FROM cp_partner p WHERE p.partner_id = pl.partner_id)),
           (SELECT bool_and(ok) IS NOT FALSE FROM (
                SELECT old_level = coalesce(lag(new_level) OVER w, 'none') AS ok
                FROM cp_level_change WINDOW w AS (PARTITION BY partner_id ORDER BY change_id)) s)
       AND (SELECT count(*) = 0 FROM (
                SELECT DISTINCT ON (partner_id) partner_id, new_level
                FROM cp_level_change ORDER BY partner_id, change_id DESC) last
            LEFT JOIN cp_partner_level pl USING (partner_id)
            WHERE coalesce(pl.level, 'none') <> last.new_level)
$$;

INSERT INTO cp_partner VALUES (1, 'Contoso', 'developed'), (2, 'Fabrikam', 'developing'),
                              (3, 'Northwind', 'developed');
INSERT INTO cp_association VALUES
    (1, regress.t(1), 'delegated_admin', current_date - 100, NULL),
    (2, regress.t(2), 'transacting_partner', current_date - 100, NULL),
    (3, regress.t(3), 'digital_partner_of_record', current_date - 100, NULL);
INSERT INTO cp_person VALUES (10, 1, 'Ann'), (20, 2, 'Bea'), (30, 3, 'Cy'), (31, 3, 'Di');
SELECT * FROM regress.changes();                               -- nothing yet

-- A credential alone changes nothing; with usage, levels rise.
INSERT INTO cp_credential VALUES (10, 'MCSA: Office 365', current_date - 10, NULL),
                                 (20, 'MCSA: Office 365', current_date - 10, current_date + 20);
INSERT INTO cp_usage VALUES (regress.t(1), 'EXO', 'E3', false, 2000, current_date - 3),
                            (regress.t(2), 'EXO', 'E3', false, 1000, current_date - 3);
SELECT * FROM regress.changes();
SELECT partner_id, level, active_entitlements, qualified_individuals FROM cp_partner_level ORDER BY 1;

-- Usage update, then a no-op update and a statement matching nothing.
UPDATE cp_usage SET active_users = 4000 WHERE tenant_id = regress.t(1);
INSERT INTO cp_credential VALUES (10, '70-346', current_date, NULL);  -- still one person
UPDATE cp_usage SET active_users = active_users;
UPDATE cp_usage SET active_users = 1 WHERE false;
SELECT * FROM regress.changes();

-- A second qualified person makes partner 1 gold; moving them away undoes it.
INSERT INTO cp_person VALUES (11, 1, 'Al');
INSERT INTO cp_credential VALUES (11, '70-346', current_date - 1, NULL), (11, '70-347', current_date - 1, NULL);
UPDATE cp_person SET partner_id = 3 WHERE person_id = 11;
SELECT * FROM regress.changes() WHERE id > 2;

-- Usage delete; association end and start.
DELETE FROM cp_usage WHERE tenant_id = regress.t(2);
UPDATE cp_association SET valid_until = current_date WHERE partner_id = 1;
INSERT INTO cp_association VALUES (3, regress.t(1), 'delegated_admin', current_date, NULL);
SELECT * FROM regress.changes() WHERE id > 5;

-- Market change: developing needs half the entitlements for Silver.
INSERT INTO cp_usage VALUES (regress.t(2), 'SPO', 'E1', false, 1500, current_date);
UPDATE cp_partner SET market = 'developed' WHERE partner_id = 2;
UPDATE cp_partner SET market = 'developing' WHERE partner_id = 2;
SELECT * FROM regress.changes() WHERE id > 8;

-- One statement over many partners and rows: at most one change per partner.
INSERT INTO cp_partner SELECT p, 'bulk ' || p, 'developing' FROM generate_series(100, 149) p;
INSERT INTO cp_association SELECT p, regress.t(p), 'delegated_admin', current_date - 5, NULL
FROM generate_series(100, 149) p;
INSERT INTO cp_person SELECT p * 10 + i, p FROM generate_series(100, 149) p, generate_series(0, 1) i;
INSERT INTO cp_credential SELECT p * 10 + i, 'MCSA: Office 365', current_date - 5, NULL
FROM generate_series(100, 149) p, generate_series(0, 1) i;
INSERT INTO cp_usage SELECT regress.t(p), w, 'E3', false, 1100, current_date - d
FROM generate_series(100, 149) p, unnest(ARRAY['EXO', 'SPO']) w, generate_series(0, 3) d;
SELECT count(*) AS changes, count(DISTINCT partner) AS partners, min(change), max(change)
FROM regress.changes() WHERE partner >= 100;
UPDATE cp_usage SET active_users = active_users * 4
WHERE tenant_id IN (SELECT regress.t(p) FROM generate_series(100, 149) p);
SELECT count(*) AS changes, count(DISTINCT partner) AS partners, min(change), max(change)
FROM regress.changes() WHERE partner >= 100 AND change = 'silver -> gold';
DELETE FROM cp_partner WHERE partner_id >= 100;
SELECT count(*) AS changes, count(DISTINCT partner) AS partners, min(change), max(change)
FROM regress.changes() WHERE partner >= 100 AND change = 'gold -> none';
SELECT * FROM regress.invariants();

-- Deleting a partner keeps its history, ending at none; at none already: no change.
SELECT * FROM regress.changes() WHERE partner = 1 ORDER BY id;
INSERT INTO cp_usage VALUES (regress.t(3), 'EXO', 'E3', false, 2500, current_date);
DELETE FROM cp_partner WHERE partner_id = 3;
SELECT * FROM regress.changes() WHERE partner = 3 ORDER BY id;
SELECT count(*) AS level_rows_of_deleted FROM cp_partner_level WHERE partner_id = 3;

-- Renumbering a partner: the old number ends at none, the new one starts at none.
SELECT partner_id, level FROM cp_partner_level WHERE partner_id = 2;
UPDATE cp_partner SET partner_id = 7 WHERE partner_id = 2;
SELECT * FROM regress.changes() WHERE partner IN (2, 7) ORDER BY id;
SELECT * FROM regress.invariants();

-- Time passing: cp_refresh_levels catches stale usage and expired credentials.
TRUNCATE cp_level_change;
SELECT partner_id, level FROM cp_partner_level ORDER BY 1;
SELECT cp_refresh_levels() AS changes_today;
SELECT cp_refresh_levels(current_date + 25) AS changes_later;  -- credential expires, usage stale
SELECT * FROM regress.changes();
SELECT cp_refresh_levels() AS back_to_today;
SELECT regress.error_of($$SELECT cp_refresh_levels(NULL)$$);

-- TRUNCATE re-evaluates everybody.
TRUNCATE cp_usage;
SELECT partner_id, level FROM cp_partner_level ORDER BY 1;

-- Flagging uses the configured window, not a session's SET.
SET competency.usage_window = '1d';
INSERT INTO cp_usage VALUES (regress.t(2), 'SPO', 'E1', false, 1200, current_date - 5);
SELECT partner_id, level, active_entitlements FROM cp_partner_level WHERE partner_id = 7;
SELECT partner_id, level, active_entitlements FROM cp_evaluate() WHERE partner_id = 7;
RESET competency.usage_window;
DELETE FROM cp_usage;

-- Pausing: competency.flagging = off writes nothing; a refresh catches up.
INSERT INTO cp_usage VALUES (regress.t(2), 'SPO', 'E1', false, 5000, current_date);
SET competency.flagging = off;
DELETE FROM cp_usage;
SELECT partner_id, level FROM cp_partner_level ORDER BY 1;
RESET competency.flagging;
SELECT cp_refresh_levels() AS caught_up;
SELECT partner_id, level FROM cp_partner_level ORDER BY 1;

-- Restore sessions stand aside: pg_restore's application_name, or the
-- settings every pg_dump script starts with.
SET application_name = 'pg_restore';
SELECT cp_flagging_active();
INSERT INTO cp_usage VALUES (regress.t(2), 'SPO', 'E1', false, 5000, current_date);
RESET application_name;
SET check_function_bodies = off;
SET row_security = off;
SELECT cp_flagging_active();
DELETE FROM cp_usage;
INSERT INTO cp_usage VALUES (regress.t(2), 'SPO', 'E1', false, 5000, current_date);
RESET check_function_bodies;
RESET row_security;
SELECT cp_flagging_active();
SELECT partner_id, level FROM cp_partner_level ORDER BY 1;
SELECT cp_refresh_levels() AS caught_up;

-- Whatever the caller's search_path.
SET search_path = pg_catalog;
DELETE FROM public.cp_usage;
SELECT partner_id, level FROM public.cp_partner_level ORDER BY 1;
RESET search_path;

-- A loader that may only INSERT into cp_usage is flagged, but cannot write
-- the flag tables itself nor call the functions that do.
CREATE ROLE regress_loader;
GRANT USAGE ON SCHEMA public, regress TO regress_loader;
GRANT INSERT ON cp_usage TO regress_loader;
SET ROLE regress_loader;
INSERT INTO cp_usage VALUES (regress.t(2), 'SPO', 'E1', false, 5000, current_date);
SELECT regress.error_of($$SELECT * FROM cp_partner_level$$);
SELECT regress.error_of($$INSERT INTO cp_level_change (partner_id, old_level, new_level, active_entitlements, qualified_individuals)
                          VALUES (7, 'none', 'gold', 1, 1)$$);
SELECT regress.error_of($$UPDATE cp_partner_level SET level = 'gold'$$);
SELECT regress.error_of($$SELECT cp_refresh_levels()$$);
SELECT regress.error_of($$SELECT cp_flag(ARRAY[7::bigint])$$);
SELECT regress.error_of($$SELECT cp_lock_buckets(ARRAY[1])$$);
SELECT regress.error_of($$SELECT * FROM cp_usage$$);
RESET ROLE;
SELECT partner_id, level FROM cp_partner_level ORDER BY 1;
SELECT * FROM regress.invariants();
REVOKE ALL ON cp_usage FROM regress_loader;
REVOKE ALL ON SCHEMA public, regress FROM regress_loader;
DROP ROLE regress_loader;

-- A failed statement leaves no trace, in the data or the flags.
SELECT count(*) AS changes_before FROM cp_level_change \gset
SELECT regress.error_of($$INSERT INTO cp_usage VALUES
    ('00000000-0000-0000-0000-000000000002', 'SPO', 'E1', false, 0, current_date),
    ('00000000-0000-0000-0000-000000000002', 'SPO', 'E1', false, -1, current_date)$$);
SELECT count(*) - :changes_before AS new_changes, (SELECT count(*) FROM cp_usage) AS usage_rows
FROM cp_level_change;

SELECT regress.reset();
