complete -c tl-zone -s f -l format -d 'Publication format; one for a single list, any number with --out (default there: the profile\'s formats.txt, else the configuration\'s)' -r -f -a "a\t''
aaaa\t''
apl\t''
txt\t''
dnsbl\t''
rbldnsd\t''
rpz\t''"
complete -c tl-zone -l origin -d 'Zone origin; with --out, profile P gets P.ORIGIN and the policy zone at rpz.origin (default P.rpz.ORIGIN)' -r
complete -c tl-zone -s c -l config -d 'Zone configuration (TOML): SOA, NS, TTL, limits, categories, servers' -r
complete -c tl-zone -l out -d 'Publish every profile directory in DIR (as tl-compile writes them)' -r
complete -c tl-zone -s o -l output -d 'The zone file to replace (stdout without it); with --out, the directory for the zones (default: DIR)' -r
complete -c tl-zone -l name -d 'The list\'s name in the zone (default: the first input\'s file name without extension, or "list")' -r
complete -c tl-zone -l allow -d 'Allow-list (repeatable): its addresses are never listed and are cut out of wider prefixes as holes; for rpz its domains pass (PASSTHRU)' -r
complete -c tl-zone -l client-ip -d 'rpz: clients (addresses) whose queries get the list\'s action (rpz.list_actions.NAME, NAME the file name up to its first dot), else rpz.client_ip_action; repeatable, one action per file' -r
complete -c tl-zone -l ns-list -d 'rpz: name servers: names become rpz-nsdname, addresses rpz-nsip triggers (names served by them get the list\'s action, else rpz.action); repeatable' -r
complete -c tl-zone -l provenance -d 'Provenance CSV (entry,list,reason,detail) that puts entries in the configuration\'s categories (DNSBL codes and texts, RPZ actions)' -r
complete -c tl-zone -l serial-style -d 'How serials are made (default: the configuration\'s, else date)' -r -f -a "date\t''
unix\t''
increment\t''"
complete -c tl-zone -l now -d 'The time for serials: RFC 3339, a date (its end) or Unix seconds (default: now)' -r
complete -c tl-zone -l named-conf -d 'Write a named.conf fragment for the zones' -r
complete -c tl-zone -l nsd-conf -d 'Write an nsd.conf fragment for the zones' -r
complete -c tl-zone -l secondary-named-conf -d 'Write a named.conf fragment for a BIND secondary of the zones (needs --primary or server.primaries)' -r
complete -c tl-zone -l secondary-nsd-conf -d 'Write an nsd.conf fragment for an NSD secondary of the zones' -r
complete -c tl-zone -l primary -d 'The primary\'s address (and port) as the secondaries reach it, for the secondary fragments (repeatable; replaces server.primaries)' -r
complete -c tl-zone -l reload -d 'Run this for every zone whose file changed ({zone} and {file} are replaced; split on spaces, no shell), e.g. \'rndc reload {zone}\'' -r
complete -c tl-zone -l force -d 'One list: publish it even when it is empty (held back otherwise, exit 1)'
complete -c tl-zone -l exact -d 'Publish each list\'s entries as given: no merging of adjacent or overlapping entries (A/AAAA, APL, TXT, rbldnsd; see NOTES); also `exact = true` in the configuration'
complete -c tl-zone -l txt-plain -d 'TXT lists without the "chunks=K" record and "seq=I/N" markers (a client cannot check completeness; tl-fw pull refuses them); also txt.plain in the configuration'
complete -c tl-zone -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-zone -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tl-zone -s V -l version -d 'Print version'
