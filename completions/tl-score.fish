# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tl_score_global_optspecs
    string join \n e/events= i/indicators= feeds= now= state= rollup rollup-prefix= rollup-prefix6= c/category= enter= leave= no-trust strict q/quiet add= save-state= previous= min-score= top= explain o/output= h/help V/version
end

function __fish_tl_score_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tl_score_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tl_score_using_subcommand
    set -l cmd (__fish_tl_score_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tl-score -n "__fish_tl_score_needs_command" -s e -l events -d 'Sensor events CSV (time,source,sensor,port,proto,count); repeatable' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -s i -l indicators -d 'Indicators CSV from tl-ingest; repeatable' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -l feeds -d 'Feed configuration (TOML): each feed\'s category and confidence (a cap)' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -l now -d 'Reference time: RFC 3339, a date (its end), Unix seconds, or -2d, yesterday [default: the clock]' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -l state -d 'Start from this state file (from --save-state or merge)' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -l rollup-prefix -d 'IPv4 roll-up prefix length' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -l rollup-prefix6 -d 'IPv6 roll-up prefix length' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -s c -l category -d 'Only evidence of this category counts (repeatable): a per-category list' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -l enter -d 'T_in: the score at which an entry joins the list' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -l leave -d 'T_out: a listed entry leaves below this (less its jitter)' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -l add -d 'Events to add to --state, which is then rewritten (repeatable)' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -l save-state -d 'Write the state (all evidence, decayed to --now) to FILE' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -l previous -d 'The list published last time (scores CSV): its entries stay while above T_out' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -l min-score -d 'Print every entry scoring at least X instead of the list (no hysteresis)' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -l top -d 'At most N rows, the highest scores' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-score -n "__fish_tl_score_needs_command" -l rollup -d 'Also score networks from their hosts (net rows)'
complete -c tl-score -n "__fish_tl_score_needs_command" -l no-trust -d 'Weigh every feed and sensor alike and ignore sensors\' silence (the model before reliability and negative evidence, for comparisons)'
complete -c tl-score -n "__fish_tl_score_needs_command" -l strict -d 'Any malformed row is an error (exit 2)'
complete -c tl-score -n "__fish_tl_score_needs_command" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-score -n "__fish_tl_score_needs_command" -l explain -d 'Add a reason column: each category\'s contribution and its sources'
complete -c tl-score -n "__fish_tl_score_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tl-score -n "__fish_tl_score_needs_command" -s V -l version -d 'Print version'
complete -c tl-score -n "__fish_tl_score_needs_command" -a "explain" -d 'Every contribution to the score of addresses, networks or domains, as CSV'
complete -c tl-score -n "__fish_tl_score_needs_command" -a "merge" -d 'Merge state files exactly into one'
complete -c tl-score -n "__fish_tl_score_needs_command" -a "feeds" -d 'Each feed\'s and sensor\'s reliability as the scores weigh it, as CSV'
complete -c tl-score -n "__fish_tl_score_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -s e -l events -d 'Sensor events CSV (time,source,sensor,port,proto,count); repeatable' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -s i -l indicators -d 'Indicators CSV from tl-ingest; repeatable' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -l feeds -d 'Feed configuration (TOML): each feed\'s category and confidence (a cap)' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -l now -d 'Reference time: RFC 3339, a date (its end), Unix seconds, or -2d, yesterday [default: the clock]' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -l state -d 'Start from this state file (from --save-state or merge)' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -l rollup-prefix -d 'IPv4 roll-up prefix length' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -l rollup-prefix6 -d 'IPv6 roll-up prefix length' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -s c -l category -d 'Only evidence of this category counts (repeatable): a per-category list' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -l enter -d 'T_in: the score at which an entry joins the list' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -l leave -d 'T_out: a listed entry leaves below this (less its jitter)' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -l rollup -d 'Also score networks from their hosts (net rows)'
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -l no-trust -d 'Weigh every feed and sensor alike and ignore sensors\' silence (the model before reliability and negative evidence, for comparisons)'
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -l strict -d 'Any malformed row is an error (exit 2)'
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-score -n "__fish_tl_score_using_subcommand explain" -s h -l help -d 'Print help'
complete -c tl-score -n "__fish_tl_score_using_subcommand merge" -s o -l output -d 'The merged state, written atomically' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand merge" -l now -d 'Decay the result to this later time (RFC 3339, a date, Unix seconds, or -2d, yesterday) [default: the latest state\'s]' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand merge" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-score -n "__fish_tl_score_using_subcommand merge" -s h -l help -d 'Print help'
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -s e -l events -d 'Sensor events CSV (time,source,sensor,port,proto,count); repeatable' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -s i -l indicators -d 'Indicators CSV from tl-ingest; repeatable' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -l feeds -d 'Feed configuration (TOML): each feed\'s category and confidence (a cap)' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -l now -d 'Reference time: RFC 3339, a date (its end), Unix seconds, or -2d, yesterday [default: the clock]' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -l state -d 'Start from this state file (from --save-state or merge)' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -l rollup-prefix -d 'IPv4 roll-up prefix length' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -l rollup-prefix6 -d 'IPv6 roll-up prefix length' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -s c -l category -d 'Only evidence of this category counts (repeatable): a per-category list' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -l enter -d 'T_in: the score at which an entry joins the list' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -l leave -d 'T_out: a listed entry leaves below this (less its jitter)' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -l rollup -d 'Also score networks from their hosts (net rows)'
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -l no-trust -d 'Weigh every feed and sensor alike and ignore sensors\' silence (the model before reliability and negative evidence, for comparisons)'
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -l strict -d 'Any malformed row is an error (exit 2)'
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-score -n "__fish_tl_score_using_subcommand feeds" -s h -l help -d 'Print help'
complete -c tl-score -n "__fish_tl_score_using_subcommand help; and not __fish_seen_subcommand_from explain merge feeds help" -f -a "explain" -d 'Every contribution to the score of addresses, networks or domains, as CSV'
complete -c tl-score -n "__fish_tl_score_using_subcommand help; and not __fish_seen_subcommand_from explain merge feeds help" -f -a "merge" -d 'Merge state files exactly into one'
complete -c tl-score -n "__fish_tl_score_using_subcommand help; and not __fish_seen_subcommand_from explain merge feeds help" -f -a "feeds" -d 'Each feed\'s and sensor\'s reliability as the scores weigh it, as CSV'
complete -c tl-score -n "__fish_tl_score_using_subcommand help; and not __fish_seen_subcommand_from explain merge feeds help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
