complete -c tl-ingest -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tl-ingest -s V -l version -d 'Print version'
