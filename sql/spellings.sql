-- Accepted spellings of workloads and credentials, and near misses.
-- One measurement of 10 users per spelling, one tenant each: the aggregate
-- counts 10 exactly when the spelling names an eligible workload.

SELECT to_json(w)::text AS workload,
       cp_active_entitlements(1, w, 'sku', 10, false, date '2026-01-01') AS counted
FROM unnest(ARRAY[
    -- canonical names and every listed spelling
    'exchange_online', 'Exchange Online', 'Exchange', 'EXO',
    'sharepoint_online', 'SharePoint Online', 'SharePoint', 'SPO',
    'skype_for_business', 'Skype for Business', 'Skype for Business Online', 'SfB',
    'yammer', 'Yammer', 'YAM',
    'proplus', 'ProPlus', 'Office 365 ProPlus',
    -- case, ASCII whitespace and the separators _ - : anywhere
    'EXCHANGE ONLINE', 'exchange-online', 'Exchange:Online', ' e x o ',
    E'Exchange\tOnline', E'\nSPO\r', E'share\fpoint\x0b', 'Skype_For-Business:',
    'office_365_proplus', 'OFFICE365PROPLUS', '--yam--', 's:f:b',
    -- not eligible
    'Teams', 'Microsoft Teams', 'Dynamics 365', 'Intune', 'Skype',
    'Office 365', 'Office', 'Exchange Onlin', 'Exchange Online Plan 1', 'EXOP',
    'SharePoint Server', 'Yammer Enterprise', 'Pro Plus.', 'Pro/Plus',
    'exchange.online', '', ' ', '___',
    E'Exchange\u00a0Online',        -- no-break space is not ASCII whitespace
    E'\uff25xchange',               -- full-width E does not fold to e
    E'EXCHANGE\u0131',              -- dotless i
    E'Exchange\u200bOnline'         -- zero-width space
]) AS w
GROUP BY w
ORDER BY 2 DESC, w COLLATE "C";

-- Long text is folded without being copied, and never matches by accident.
SELECT cp_active_entitlements(1, repeat('exo', 100000), 'sku', 10, false, date '2026-01-01') AS long_no,
       cp_active_entitlements(1, repeat(' ', 1000000) || 'EXO' || repeat('-', 1000000),
                              'sku', 10, false, date '2026-01-01') AS padded_yes,
       cp_active_entitlements(1, 'EXO' || repeat('x', 1000000), 'sku', 10, false, date '2026-01-01') AS suffix_no;

-- Credentials: 70-346 with 70-347 (one person), or MCSA: Office 365.
-- Each spelling of 70-346 paired with a canonical 70-347 qualifies a person.
SELECT to_json(c)::text AS exam_70_346_spelling,
       cp_qualified_individuals(p, cred) AS qualified
FROM unnest(ARRAY['70-346', '70346', 'Exam 70-346', 'exam70-346', 'EXAM_70-346',
                  'Exam: 70-346', ' 7 0 - 3 4 6 ', 'exam 70:346',
                  '70-3460', '70-34', 'Exam Exam 70-346', 'examen 70-346', '70 346 exam',
                  'MS-346', E'70\u2011346']) AS c
CROSS JOIN LATERAL (VALUES (1, c), (1, '70-347')) AS v(p, cred)
GROUP BY c
ORDER BY 2 DESC, c COLLATE "C";

SELECT to_json(c)::text AS exam_70_347_spelling,
       cp_qualified_individuals(p, cred) AS qualified
FROM unnest(ARRAY['70-347', 'Exam 70-347', 'EXAM-70-347', '70_347', '70-347 ', '70-3477']) AS c
CROSS JOIN LATERAL (VALUES (1, '70-346'), (1, c)) AS v(p, cred)
GROUP BY c
ORDER BY 2 DESC, c COLLATE "C";

SELECT to_json(c)::text AS mcsa_spelling,
       cp_qualified_individuals(1, c) AS qualified
FROM unnest(ARRAY['MCSA: Office 365', 'MCSA-Office365', 'mcsa_office_365',
                  'MCSA Office 365', 'mcsa:office:365', 'Exam MCSA: Office 365',
                  'MCSA', 'Office 365', 'MCSA: Office 2016', 'MCSE: Productivity',
                  'MCSA: Office 365 (retired)', 'MCSA Office365x', '']) AS c
GROUP BY c
ORDER BY 2 DESC, c COLLATE "C";

-- One exam alone never qualifies, whatever the spelling.
SELECT cp_qualified_individuals(p, c) AS one_exam_each
FROM (VALUES (1, '70-346'), (1, 'Exam 70-346'), (2, '70-347'), (2, '70347')) v(p, c);
