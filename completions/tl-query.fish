complete -c tl-query -l out -d 'tl-compile\'s output directory' -r -F
complete -c tl-query -l at -d 'Answer as of this time: RFC 3339, a date (its end), Unix seconds, or before now: -2d, -12h, yesterday' -r
complete -c tl-query -l provenance -d 'Print the whole provenance of PROFILE\'s version (entry,list,reason, detail) instead of answering queries' -r
complete -c tl-query -l json -d 'Write the rows as JSON ({"rows": [{"query": ..., ...}]}) instead of CSV'
complete -c tl-query -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tl-query -s V -l version -d 'Print version'
