CREATE OR REPLACE FUNCTION @extschema@.cp_lock_buckets(buckets integer[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.cp_check_triggers();
    IF pg_catalog.cardinality(buckets) OPERATOR(pg_catalog.>) 0 THEN
        PERFORM 1 FROM @extschema@.cp_flag_lock
        WHERE bucket OPERATOR(pg_catalog.=) ANY (buckets) ORDER BY bucket FOR NO KEY UPDATE;
        UPDATE @extschema@.cp_flag_lock SET bucket = bucket
        WHERE bucket OPERATOR(pg_catalog.=) ANY (buckets);
    END IF;
END
$$;
