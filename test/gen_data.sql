-- Generates benchmark data of realistic shape into the extension's tables.
--   psql -v scale=1 -v as_of=2026-06-15 -f test/gen_data.sql
-- At scale 1: 2,000 partners, 100,000 customer tenants, one or two
-- associations per tenant (some ended, some to a second partner), a year of
-- monthly measurements per tenant for 1 to 3 eligible workloads plus
-- ineligible ones, 1 to 2 SKUs, some trials -- about 3.5 million usage rows --
-- and persons with credentials so that every level occurs in both markets;
-- memberships, renewing through the coming year (some in grace), with
-- associations and credentials that end before renewal.
-- Scale n multiplies partners, tenants and persons by n.  Deterministic.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET competency.flagging = off;          -- a bulk load; levels are refreshed at the end

TRUNCATE cp_partner, cp_association, cp_usage, cp_person, cp_credential,
         cp_partner_level, cp_level_change, cp_membership, cp_status_change
         RESTART IDENTITY CASCADE;
SELECT setseed(0.2026);

-- Partners: sizes vary a lot (a few large, many small); a third in developing markets.
INSERT INTO cp_partner
SELECT p, 'Partner ' || p, CASE WHEN p % 3 = 0 THEN 'developing' ELSE 'developed' END::cp_market
FROM generate_series(1, 2000 * :scale) p;

-- Tenants belong to a main partner, skewed towards low partner numbers
-- (partner = tenant mapped through a power law).
CREATE TEMP TABLE gen_tenant AS
SELECT t,
       md5('tenant ' || t)::uuid AS tenant_id,
       1 + floor((2000 * :scale) * power(random(), 1.6))::int AS partner_id,
       -- users per workload: most tenants small, some large
       greatest(1, round(exp(2.6 + 1.1 * (random() + random() + random() - 1.5))))::int AS size,
       1 + floor(random() * 3)::int AS workloads,
       random() AS r
FROM generate_series(1, 100000 * :scale) t;

-- Associations: every tenant with its main partner (10% ended before as_of,
-- 5% ending within the coming year, 3% starting after it); 20% also with a second partner, and 30% with the
-- main partner a second time, of another kind (say administrator and
-- transacting partner).
INSERT INTO cp_association
SELECT partner_id, tenant_id,
       (ARRAY['delegated_admin', 'transacting_partner', 'digital_partner_of_record'])[1 + t % 3]::cp_association_kind,
       CASE WHEN r < 0.03 THEN :'as_of'::date + 10 ELSE :'as_of'::date - 400 + (t % 200) END,
       CASE WHEN r > 0.90 THEN :'as_of'::date - (t % 60) - 1
            WHEN r > 0.85 THEN :'as_of'::date + (t % 360) + 1 END
FROM gen_tenant;
INSERT INTO cp_association
SELECT CASE WHEN r < 0.4 THEN 1 + (partner_id * 7 + t) % (2000 * :scale) ELSE partner_id END,
       tenant_id,
       (ARRAY['delegated_admin', 'transacting_partner', 'digital_partner_of_record'])[1 + (t + 1) % 3]::cp_association_kind,
       :'as_of'::date - 300, NULL
FROM gen_tenant WHERE r BETWEEN 0.2 AND 0.7;

-- Usage: a year of monthly measurements; each tenant measured on its own day
-- of the month, so exactly one measurement per series is current.  Rows are
-- appended in date order, as periodic usage reports arrive.
INSERT INTO cp_usage
SELECT g.tenant_id, w.name,
       CASE WHEN s = 1 THEN 'O365_E3' ELSE 'O365_E1' END,
       (w.k = 1 AND s = 2 AND g.r < 0.25),                  -- some E1 trials on Exchange
       greatest(0, round(g.size * w.share * (0.85 + 0.3 * ((g.t * 31 + m * 17 + w.k) % 100) / 100.0)
                         * (1 + m / 24.0)))::int,
       :'as_of'::date - 30 * (11 - m) - (g.t % 27)
FROM gen_tenant g
CROSS JOIN generate_series(0, 11) m
JOIN (VALUES (1, 'Exchange Online', 1.0), (2, 'SPO', 0.8), (3, 'ProPlus', 0.6),
             (4, 'Microsoft Teams', 1.1), (5, 'Intune', 0.3)) w(k, name, share)
  ON w.k <= g.workloads OR (w.k = 4 AND g.r < 0.5) OR (w.k = 5 AND g.r < 0.1)
CROSS JOIN generate_series(1, 2) s
WHERE s = 1 OR (g.t % 4 = 0)
ORDER BY 6, g.t;

-- People: 1 to 5 per partner, with exams and certifications of mixed dates.
INSERT INTO cp_person
SELECT p * 10 + i, p, 'Person ' || (p * 10 + i)
FROM generate_series(1, 2000 * :scale) p, generate_series(0, 4) i
WHERE i <= p % 5;
INSERT INTO cp_credential
SELECT person_id, c.name, :'as_of'::date - 200 - (person_id % 300)::int,
       CASE WHEN person_id % 7 = 0 THEN :'as_of'::date - 10
            WHEN person_id % 7 = 3 THEN :'as_of'::date + (person_id % 360)::int END
FROM cp_person
JOIN (VALUES (0, '70-346'), (1, 'Exam 70-347'), (2, 'MCSA: Office 365')) c(k, name)
  ON (person_id % 4 = 0 AND c.k < 2) OR (person_id % 4 = 1 AND c.k = 2)
  OR (person_id % 4 = 2 AND c.k = 0);

-- Memberships: partners hold the level they meet today (a tenth of the
-- others hold silver all the same), granted a year before it ends; ends
-- spread over 20 days ago (in grace) to 340 days ahead; every other holder
-- also held silver the year before.
INSERT INTO cp_membership
SELECT e.partner_id, CASE WHEN e.level = 'none' THEN 'silver' ELSE e.level END,
       x.e - 365, x.e
FROM cp_evaluate(:'as_of') e,
     LATERAL (SELECT :'as_of'::date - 20 + ((e.partner_id * 37) % 360)::int AS e) x
WHERE e.level > 'none' OR e.partner_id % 10 = 0;
INSERT INTO cp_membership
SELECT partner_id, 'silver', started_on - 365, started_on
FROM cp_membership WHERE partner_id % 2 = 0;

DROP TABLE gen_tenant;
RESET competency.flagging;
VACUUM ANALYZE cp_partner, cp_association, cp_usage, cp_person, cp_credential, cp_membership;
SELECT count(*) AS usage_rows FROM cp_usage;
