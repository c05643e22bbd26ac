complete -c tl-logs -s p -l profile -d 'A compiled profile\'s directory (tl-compile\'s OUT/NAME): its lists, their history and its own networks' -r -F
complete -c tl-logs -l list -d 'A plain list of addresses to match both ways, instead of a profile (repeatable)' -r -F
complete -c tl-logs -l allow -d 'With --list: addresses that are never hits (repeatable)' -r -F
complete -c tl-logs -l domains -d 'With --list: listed domain names, one per line (repeatable)' -r -F
complete -c tl-logs -l inside -d 'Inside networks (CIDRs, comma-separated or repeated); default: the profile\'s own networks' -r
complete -c tl-logs -l format -d 'The format of every log, instead of detecting it' -r -f -a "asa\t''
filterlog\t''
panos\t''
fortinet\t''
cef\t''
mikrotik\t''
pf\t''
zeek\t''
suricata\t''
ulogd\t''
bind\t''
unbound\t''
netfilter\t''
nftables\t''
csv\t''"
complete -c tl-logs -l timezone -d 'The zone of times written without one: an IANA name or an offset (+01:00); LOG=ZONE for one log (repeatable) [default: UTC]' -r
complete -c tl-logs -l columns -d 'The column mapping of --format csv: [header,][sep=tab,]FIELD=COLUMN,… (fields time, src, dst, sport, dport, proto, action, qname)' -r
complete -c tl-logs -l geo-db -d 'A GeoIP country database (MaxMind DB) for the countries of listed addresses' -r -F
complete -c tl-logs -s o -l output -d 'Write the text summary to FILE instead of stdout' -r
complete -c tl-logs -l csv -d 'Write the hits as CSV (a row per inside host and destination, and per listed source)' -r
complete -c tl-logs -l json -d 'Write the whole analysis as JSON' -r
complete -c tl-logs -l html -d 'Write a self-contained HTML report (charts as inline SVG)' -r
complete -c tl-logs -l events -d 'Write inbound drops and IDS alerts from outside sources as sensor events (time,source,sensor,port,proto,count) for tl-score' -r
complete -c tl-logs -l sensor -d 'The sensor name of --events' -r
complete -c tl-logs -l threads -d 'Worker threads [default: every core]' -r
complete -c tl-logs -l now -d 'The time a log read from stdin ends by (its year\'s reference): RFC 3339, a date, Unix seconds, or -2d, yesterday [default: now]' -r
complete -c tl-logs -l strict -d 'Fail (exit 2) at the first line that carries no event'
complete -c tl-logs -s q -l quiet -d 'Write no text summary'
complete -c tl-logs -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tl-logs -s V -l version -d 'Print version'
