-- Join the public EOIR FOIA case data into the one-row-per-proceeding layout that
-- maps/eoir-proceedings.toml reads. See maps/README.md ("The EOIR recipe") for the steps
-- around it (stripping NUL bytes first, converting the result back to Latin-1 after).
--
-- Run in the folder that holds the release's tables:
--     duckdb eoir.duckdb -c ".read /path/to/maps/eoir/join.sql"
-- Written against DuckDB 2.0 (read_csv's built-in encoding = 'latin-1'); checked on
-- synthetic tables only, never on a real release.
--
-- Tables read (names as in the release; older releases spell them A_tblCase.csv, ...):
--   B_TblProceeding.csv      one row per proceeding       (IDNPROCEEDING, IDNCASE, ...)
--   A_TblCase.csv            one row per case             (IDNCASE, NAT, LANG, ...)
--   A_TblCaseIdentifier.csv  case flags                   (IDNCASE, CASE_ID)
--   tbl_RepsAssigned.csv     representatives of record    (IDNCASE, STRATTYTYPE, E_28_DATE)
-- Column names follow the headers listed in GitHub marrowb/eoir,
-- src/eoir/metadata/json/table-dtypes/*.json; DuckDB matches them ignoring case.

-- Every table the same way: tab-separated, one header line, Latin-1, every column as text,
-- no quoting (a " is an ordinary character), a backslash makes the next character literal
-- (a tab or a backslash inside a value is written \<TAB>, \\). DuckDB applies escape = '\'
-- outside quotes only with strict_mode = false, and then quietly cuts a line that has too many
-- fields (or pads one that has too few, with null_padding): such lines are found and left out
-- by eoir_bad_lines below, never read with their values shifted into the wrong columns.
CREATE OR REPLACE MACRO eoir_table(path) AS TABLE
    SELECT * FROM read_csv(path, delim = '\t', header = true, quote = '', escape = '\',
                           strict_mode = false, null_padding = true,
                           encoding = 'latin-1', all_varchar = true);

-- The lines of a table whose number of fields (tabs not escaped by a backslash, plus one)
-- differs from its header's, with their first field (the row's id): a tab or a line break
-- that was not escaped in the release. Each file is read once more, line by line.
CREATE OR REPLACE MACRO eoir_bad_lines(path) AS TABLE
    WITH lines AS (
        SELECT line,
               len(regexp_extract_all(regexp_replace(line, '\\.', '', 'g'), '\t')) + 1 AS fields
        FROM read_csv(path, columns = {'line': 'VARCHAR'}, header = false, delim = chr(1),
                      quote = '', escape = '', encoding = 'latin-1')
    ),
    header AS (SELECT fields FROM lines LIMIT 1)
    SELECT path AS file, split_part(line, chr(9), 1) AS first_field, fields, line
    FROM lines
    WHERE line IS NOT NULL AND fields <> (SELECT fields FROM header);

-- A cell as the EOIR dialect writes it: line breaks become a space, a tab or a backslash
-- gets a backslash in front (the output has no quoting either).
CREATE OR REPLACE MACRO tsv_cell(x) AS
    regexp_replace(regexp_replace(x, '[\r\n]+', ' ', 'g'), '([\t\\])', '\\\1', 'g');

CREATE OR REPLACE TEMP TABLE bad_lines AS
    SELECT * FROM eoir_bad_lines('B_TblProceeding.csv')
    UNION ALL SELECT * FROM eoir_bad_lines('A_TblCase.csv')
    UNION ALL SELECT * FROM eoir_bad_lines('A_TblCaseIdentifier.csv')
    UNION ALL SELECT * FROM eoir_bad_lines('tbl_RepsAssigned.csv');

-- MPP flag on the case: CASE_ID 'MP' (MIGRANT PROTECTION PROTOCOL) or 'RM' (Remain in
-- Mexico) in lookup table tblLookUpCaseIdentifier.
CREATE OR REPLACE TEMP TABLE mpp_flag AS
    SELECT idncase,
           string_agg(DISTINCT trim(case_id), ';' ORDER BY trim(case_id)) AS mpp_case_ids
    FROM eoir_table('A_TblCaseIdentifier.csv')
    WHERE trim(case_id) IN ('MP', 'RM')
      AND idncaseid NOT IN (SELECT first_field FROM bad_lines
                            WHERE file = 'A_TblCaseIdentifier.csv')
    GROUP BY idncase;

-- A Form EOIR-28 (notice of entry of appearance before the immigration court) on record for
-- the case, from the representatives table; A_TblCase.E_28_DATE is checked below as well.
-- STRATTYTYPE 'ALIEN' = representing the respondent (lookup tblAttyType).
CREATE OR REPLACE TEMP TABLE e28 AS
    SELECT DISTINCT idncase
    FROM eoir_table('tbl_RepsAssigned.csv')
    WHERE trim(strattytype) = 'ALIEN' AND nullif(trim(e_28_date), '') IS NOT NULL
      AND idnrepsassigned NOT IN (SELECT first_field FROM bad_lines
                                  WHERE file = 'tbl_RepsAssigned.csv');

COPY (
    WITH joined AS (
        SELECT
            p.idnproceeding,
            p.idncase,
            p.osc_date,
            p.hearing_date,
            p.comp_date,
            p.base_city_code,
            p.hearing_loc_code,
            p.prev_hearing_loc,
            c.case_type,
            c.custody,
            c.nat,
            c.lang,
            p.absentia,
            p.dec_code,
            c.date_of_entry,
            c.casepriority_code,
            c.lpr,
            c.alien_city,
            f.mpp_case_ids,
            -- The MPP hearing locations of lookup table tblLookupHloc: CIX MPP COURT CALEXICO
            -- PORT, ENP MPP COURT EL PASO, MPB MPP BROWNSVILLE GATEWAY INTERNATIONAL BRIDGE,
            -- MPL MPP LAREDO,TEXAS - PORT OF ENTRY, OPP MPP COURT OTAY MESA SAN DIEGO,
            -- SYP MPP COURT SAN YSIDRO PORT, TUM MPP- TUM. (MPP "TEST HEARING LOC - ECAS
            -- MPP" is left out.) The previous location counts too: cases moved out of an
            -- MPP court in 2021 keep it there.
            CASE WHEN trim(p.hearing_loc_code) IN ('CIX', 'ENP', 'MPB', 'MPL', 'OPP', 'SYP', 'TUM')
                   OR trim(p.prev_hearing_loc) IN ('CIX', 'ENP', 'MPB', 'MPL', 'OPP', 'SYP', 'TUM')
                 THEN 'Y' END AS mpp_court,
            CASE WHEN nullif(trim(c.e_28_date), '') IS NOT NULL OR r.idncase IS NOT NULL
                 THEN 'Y' ELSE 'N' END AS e28_filed,
            TRY_CAST(p.osc_date AS TIMESTAMP)::DATE AS nta_day
        FROM eoir_table('B_TblProceeding.csv') AS p
        JOIN eoir_table('A_TblCase.csv') AS c USING (idncase)
        LEFT JOIN mpp_flag AS f USING (idncase)
        LEFT JOIN e28 AS r USING (idncase)
        WHERE p.idnproceeding NOT IN (SELECT first_field FROM bad_lines
                                      WHERE file = 'B_TblProceeding.csv')
          AND c.idncase NOT IN (SELECT first_field FROM bad_lines WHERE file = 'A_TblCase.csv')
    )
    SELECT
        tsv_cell(idnproceeding)     AS idnproceeding,
        tsv_cell(idncase)           AS idncase,
        tsv_cell(osc_date)          AS osc_date,
        tsv_cell(hearing_date)      AS hearing_date,
        tsv_cell(comp_date)         AS comp_date,
        tsv_cell(base_city_code)    AS base_city_code,
        tsv_cell(hearing_loc_code)  AS hearing_loc_code,
        tsv_cell(prev_hearing_loc)  AS prev_hearing_loc,
        tsv_cell(case_type)         AS case_type,
        tsv_cell(custody)           AS custody,
        tsv_cell(nat)               AS nat,
        tsv_cell(lang)              AS lang,
        tsv_cell(absentia)          AS absentia,
        tsv_cell(dec_code)          AS dec_code,
        tsv_cell(date_of_entry)     AS date_of_entry,
        tsv_cell(casepriority_code) AS casepriority_code,
        tsv_cell(lpr)               AS lpr,
        tsv_cell(alien_city)        AS alien_city,
        mpp_case_ids,
        mpp_court,
        -- Which MPP guidance, from the Notice to Appear date (OSC_DATE): the 2019 version
        -- enrolled people from 2019-01-28 to 2021-01-20, the 2021 version from 2021-12-06 to
        -- 2022-08-08 (GAPS.md table 6.5). An MPP case whose NTA date is missing or outside
        -- both windows is marked mpp-version-unknown (the mapping reads that as unknown).
        CASE WHEN mpp_case_ids IS NULL AND mpp_court IS NULL THEN NULL
             WHEN nta_day BETWEEN DATE '2019-01-28' AND DATE '2021-01-20' THEN 'mpp-2019'
             WHEN nta_day BETWEEN DATE '2021-12-06' AND DATE '2022-08-08' THEN 'mpp-2021'
             ELSE 'mpp-version-unknown' END AS mpp_program,
        e28_filed
    FROM joined
    -- MPP proceedings only. Delete this WHERE to keep every proceeding (the rest then has a
    -- blank mpp_program, i.e. an unknown program, and every MPP-scoped gap needs review).
    WHERE mpp_case_ids IS NOT NULL OR mpp_court IS NOT NULL
    ORDER BY TRY_CAST(idncase AS BIGINT), TRY_CAST(idnproceeding AS BIGINT)
) TO 'proceedings-joined.utf8.tsv' (DELIMITER '\t', HEADER, QUOTE '');

-- What was left out: lines of an input table whose number of fields is wrong (their rows,
-- and for A_TblCase every proceeding of that case, are not in the output).
SELECT file, count(*) AS lines_left_out FROM bad_lines GROUP BY ALL ORDER BY ALL;

-- What came out, by guidance.
SELECT mpp_program, count(*) AS proceedings
FROM read_csv('proceedings-joined.utf8.tsv', delim = '\t', header = true, quote = '',
              escape = '\', strict_mode = false, all_varchar = true)
GROUP BY ALL ORDER BY ALL;
