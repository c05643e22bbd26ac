complete -c tl-compile -l scores -d 'Scores CSV (tl-score\'s output); - for stdin' -r
complete -c tl-compile -l profiles -d 'Profile files (TOML), or directories of them (*.toml)' -r
complete -c tl-compile -l geo-db -d 'Country database (MaxMind DB) for countries, continents and groups' -r
complete -c tl-compile -l asn-db -d 'ASN database (MaxMind DB) for ASN policy' -r
complete -c tl-compile -l out -d 'Output directory: one OUT/PROFILE per profile' -r -F
complete -c tl-compile -l now -d 'The time of the run: RFC 3339, a date (its end) or Unix seconds (default: now)' -r
complete -c tl-compile -l keep-days -d 'Days of history kept per profile' -r
complete -c tl-compile -l force -d 'Publish although a guard holds the list back'
complete -c tl-compile -s q -l quiet -d 'Print nothing but errors and hold-backs'
complete -c tl-compile -l json -d 'Write the report as JSON on stdout (every profile: outcome, serial, summary, notes, holds) instead of the summary lines'
complete -c tl-compile -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tl-compile -s V -l version -d 'Print version'
