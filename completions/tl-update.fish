complete -c tl-update -l config -d 'The configuration (TOML; see docs/config.md)' -r -F
complete -c tl-update -l now -d 'The time of the run: RFC 3339, a date (its end) or Unix seconds (default: the configuration\'s `now`, else the clock)' -r
complete -c tl-update -l report-json -d 'Write the run\'s report as JSON to FILE (replaced atomically)' -r -F
complete -c tl-update -l metrics -d 'Write Prometheus metrics to FILE (replaced atomically; for node_exporter\'s textfile collector), also when the run fails' -r -F
complete -c tl-update -l dry-run -d 'Run everything on a copy and show what would be published'
complete -c tl-update -l force -d 'Publish although a guard holds a profile back'
complete -c tl-update -s q -l quiet -d 'Print nothing but errors, failed feeds and hold-backs'
complete -c tl-update -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tl-update -s V -l version -d 'Print version'
