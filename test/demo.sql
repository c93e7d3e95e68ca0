-- Sample data for `make demo`: every level in both markets.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS competency;

INSERT INTO cp_partner VALUES
    (1, 'Contoso',          'developed'),
    (2, 'Fabrikam',         'developed'),
    (3, 'Northwind Traders', 'developed'),
    (4, 'Tailspin Toys',    'developing'),
    (5, 'Wingtip',          'developing'),
    (6, 'Litware',          'developing');

-- Customer tenants: partner p manages tenants p*100+1 .. p*100+n, each
-- associated as delegated administrator since 2025.
CREATE TEMP TABLE demo_tenants AS
SELECT p AS partner_id, md5('tenant' || p || '-' || t)::uuid AS tenant_id, t
FROM (VALUES (1, 30), (2, 14), (3, 8), (4, 28), (5, 9), (6, 6)) v(p, n),
     generate_series(1, n) t;
INSERT INTO cp_association
SELECT partner_id, tenant_id, 'delegated_admin', date '2025-01-01', NULL FROM demo_tenants;

-- A year of monthly measurements: Exchange for everyone, SharePoint for some,
-- a Teams workload that never counts, and a trial SKU that never counts.
INSERT INTO cp_usage
SELECT tenant_id, w.workload, w.sku, w.trial,
       (w.base + (t * 7) % 40)::int, m::date
FROM demo_tenants,
     generate_series(current_date - 330, current_date, interval '30 days') m,
     (VALUES ('Exchange Online', 'O365_E3', false, 140),
             ('SPO',             'O365_E3', false, 120),
             ('Teams',           'O365_E3', false, 400),
             ('EXO',             'O365_E5_TRIAL', true, 300)) w(workload, sku, trial, base)
WHERE w.workload <> 'SPO' OR t % 2 = 0;

INSERT INTO cp_person VALUES
    (11, 1, 'Aiko'), (12, 1, 'Ben'), (21, 2, 'Chloe'), (31, 3, 'Dev'),
    (41, 4, 'Elif'), (42, 4, 'Femi'), (51, 5, 'Gita'), (61, 6, 'Hugo');
INSERT INTO cp_credential VALUES
    (11, 'Exam 70-346', current_date - 400, NULL),
    (11, 'Exam 70-347', current_date - 380, NULL),
    (12, 'MCSA: Office 365', current_date - 200, current_date + 60),    -- expires before Contoso's renewal
    (21, 'MCSA: Office 365', current_date - 100, NULL),
    (31, '70-346', current_date - 100, NULL),          -- one exam is not enough
    (41, 'mcsa_office_365', current_date - 50, NULL),
    (42, '70-346', current_date - 60, NULL),
    (42, '70-347', current_date - 40, NULL),
    (51, 'MCSA-Office365', current_date - 10, NULL),
    (61, 'MCSA: Office 365', current_date - 900, current_date - 30);  -- expired

-- A Partner Center license-usage report for Adatum's customers, re-dated to
-- today so that the demo stays current: staged as text, then loaded.
INSERT INTO cp_partner VALUES (7, 'Adatum', 'developed');
INSERT INTO cp_association VALUES
    (7, '3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'transacting_partner', date '2025-06-01', NULL),
    (7, '3f2504e0-4f89-11d3-9a0c-0305e82c3302', 'digital_partner_of_record', date '2025-06-01', NULL),
    (7, '3f2504e0-4f89-11d3-9a0c-0305e82c3303', 'delegated_admin', date '2025-06-01', NULL);
INSERT INTO cp_person VALUES (71, 7, 'Iris');
INSERT INTO cp_credential VALUES (71, 'MCSA: Office 365', current_date - 30, NULL);
\copy cp_partner_center_usage FROM 'test/partner_center_sample.csv' (FORMAT csv, HEADER match)
UPDATE cp_partner_center_usage SET "processedDateTime" = current_date::text
WHERE "processedDateTime" ~ '^2026-11-2';
\echo
\echo 'Partner Center report loaded (cp_load_partner_center_usage):'
SELECT * FROM cp_load_partner_center_usage();
SELECT reason, count(*) AS rejected_rows FROM cp_partner_center_reject GROUP BY 1 ORDER BY 1;

\echo
\echo 'Every partner''s level today (cp_evaluate):'
\echo
SELECT p.name AS partner, e.market, e.active_entitlements AS entitlements,
       e.qualified_individuals AS individuals, e.level, e.next_level,
       e.entitlements_short, e.individuals_short
FROM cp_evaluate() e JOIN cp_partner p USING (partner_id)
ORDER BY e.market, e.level DESC, p.name;

-- Memberships.  Contoso's come from its Partner Center competency summary
-- and history report (test/partner_center_competency_sample.csv), re-dated
-- so that its Gold year ends four months from today; the others are written
-- directly.
\copy cp_partner_center_competency FROM 'test/partner_center_competency_sample.csv' (FORMAT csv, HEADER match)
UPDATE cp_partner_center_competency
SET "CompetencyStartDate" = (left("CompetencyStartDate", 10)::date + (current_date + 120 - date '2027-04-01'))::text,
    "CompetencyEndDate" = (left("CompetencyEndDate", 10)::date + (current_date + 120 - date '2027-04-01'))::text
WHERE "CompetencyStartDate" ~ '^20[0-9][0-9]-(0[1-9]|1[0-2])-';
\echo
\echo 'Contoso''s competency report loaded (cp_load_partner_center_competency):'
SELECT * FROM cp_load_partner_center_competency(1);
SELECT "CompetencyName", "CompetencyLevel", reason FROM cp_partner_center_competency_reject ORDER BY reason;

INSERT INTO cp_membership VALUES
    (2, 'silver', current_date - 200, current_date + 165),   -- Fabrikam
    (3, 'silver', current_date - 300, current_date + 65),    -- Northwind Traders
    (4, 'silver', current_date - 100, current_date + 265),   -- Tailspin Toys
    (5, 'silver', current_date - 375, current_date - 10);    -- Wingtip, renewal missed

\echo
\echo 'Every partner''s membership status today (cp_membership_status):'
\echo
SELECT p.name AS partner, s.held_level, s.ends_on - current_date AS days_to_renewal,
       s.level, s.projected_level, s.status, s.entitlements_margin, s.individuals_margin
FROM cp_membership_status() s JOIN cp_partner p USING (partner_id)
ORDER BY s.status, p.name;

\echo
\echo 'Why Contoso''s Gold is at risk (cp_explain_risk):'
\echo
SELECT kind, subject, effective_on - current_date AS in_days, entitlements_change, individuals_change
FROM cp_explain_risk(1);
