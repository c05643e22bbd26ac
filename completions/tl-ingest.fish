complete -c tl-ingest -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-ingest -l output-dir -d 'Write one FEED.csv per feed into DIR (a failed feed\'s file is left as it was)' -r
complete -c tl-ingest -l feed -d 'Feed name for the inputs (default: the file\'s stem, or a FireHOL header\'s name)' -r
complete -c tl-ingest -l category -d 'Category for the inputs (e.g. scanner, bruteforce, botnet-c2, spam)' -r
complete -c tl-ingest -l confidence -d 'Confidence of the inputs, 0..1' -r
complete -c tl-ingest -s f -l format -d 'Force the format instead of detecting it' -r
complete -c tl-ingest -l column -d 'CSV column holding the indicator: header name or 1-based number' -r
complete -c tl-ingest -l field -d 'JSON field path holding the indicator (a.b.c; \'*\' for any member)' -r
complete -c tl-ingest -s c -l config -d 'Feed configuration (TOML): ingests every feed it lists, in parallel' -r
complete -c tl-ingest -l cache -d 'Cache directory for fetched feeds (conditional requests, last good copy)' -r
complete -c tl-ingest -l timeout -d 'Time limit for one request [default: 30s]' -r
complete -c tl-ingest -l retries -d 'Retries after a failed request (network errors, 5xx, 429) [default: 3]' -r
complete -c tl-ingest -l backoff -d 'Wait before the first retry; doubled for each further one' -r
complete -c tl-ingest -l max-size -d 'Largest download or JSON document, in bytes (K, M, G suffixes) [default: 256M]' -r
complete -c tl-ingest -l max-prefix -d 'Drop IPv4 prefixes shorter than /N [default: 8]' -r
complete -c tl-ingest -l max-prefix6 -d 'Drop IPv6 prefixes shorter than /N [default: 32]' -r
complete -c tl-ingest -l asn-db -d 'ASN database (MaxMind DB): AS numbers a feed lists (Spamhaus ASN-DROP) become the AS\'s networks' -r
complete -c tl-ingest -l now -d 'The time for feeds that carry none (RFC 3339, a date, Unix seconds, or -2d, yesterday), and the clock for cache ages' -r
complete -c tl-ingest -l stats -d 'Per-feed summary on stderr' -r -f -a "text\t''
json\t''
none\t''"
complete -c tl-ingest -l plain -d 'Write a plain list (one address or prefix a line, as tl-set reads) instead of the CSV; domains are left out and counted'
complete -c tl-ingest -l strict -d 'Any refused line is an error (exit 2)'
complete -c tl-ingest -l lenient -d 'A feed failing the health rules (nothing accepted, most lines refused, shrunk, an HTML page) is used anyway, with a warning'
complete -c tl-ingest -l allow-special -d 'Emit special-purpose space (private, loopback, multicast, …) too'
complete -c tl-ingest -l fail-on-stale -d 'Exit 1 when a feed is stale (served from its last good copy, or missing)'
complete -c tl-ingest -l with-ref -d 'Append a ref column with the feed\'s own reference (Spamhaus SBL, STIX id)'
complete -c tl-ingest -s q -l quiet -d 'Print nothing on stderr but errors and what makes the exit status 1 (FAILED feeds; STALE ones under --fail-on-stale)'
complete -c tl-ingest -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tl-ingest -s V -l version -d 'Print version'
