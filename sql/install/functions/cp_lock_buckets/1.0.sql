CREATE FUNCTION cp_lock_buckets(buckets integer[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF cardinality(buckets) > 0 THEN
        PERFORM 1 FROM @extschema@.cp_flag_lock
        WHERE bucket = ANY (buckets) ORDER BY bucket FOR NO KEY UPDATE;
        UPDATE @extschema@.cp_flag_lock SET bucket = bucket WHERE bucket = ANY (buckets);
    END IF;
END
$$;
COMMENT ON FUNCTION cp_lock_buckets(integer[]) IS
  'Internal: serializes flagging of writers that share a tenant or person';
