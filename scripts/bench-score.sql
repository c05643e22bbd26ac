-- The core of tl-score's aggregation as an analyst would write it in DuckDB:
-- per source address, the sum of event counts decayed with a 12-hour
-- half-life to the reference time, the number of distinct sensors, first and
-- last seen, and the total count; written to CSV, highest mass first.
-- scripts/bench-score.py fills in {events}, {now} and {out}.
COPY (
  SELECT source,
         sum(count * pow(2.0, -(epoch(TIMESTAMPTZ '{now}') - epoch(time)) / 43200.0)) AS mass,
         count(DISTINCT sensor) AS sensors,
         min(time) AS first_seen,
         max(time) AS last_seen,
         sum(count) AS hits
  FROM read_csv('{events}', header = true,
       columns = {'time': 'TIMESTAMPTZ', 'source': 'VARCHAR', 'sensor': 'VARCHAR',
                  'port': 'INTEGER', 'proto': 'VARCHAR', 'count': 'BIGINT'})
  GROUP BY source
  ORDER BY mass DESC, source
) TO '{out}' (HEADER);
