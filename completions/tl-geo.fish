complete -c tl-geo -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tl-geo -s V -l version -d 'Print version'
