# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tl_fw_global_optspecs
    string join \n h/help V/version
end

function __fish_tl_fw_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tl_fw_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tl_fw_using_subcommand
    set -l cmd (__fish_tl_fw_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tl-fw -n "__fish_tl_fw_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tl-fw -n "__fish_tl_fw_needs_command" -s V -l version -d 'Print version'
complete -c tl-fw -n "__fish_tl_fw_needs_command" -f -a "pull" -d 'Fetch a profile\'s lists from its nameserver (or files, URLs)'
complete -c tl-fw -n "__fish_tl_fw_needs_command" -f -a "render" -d 'Write a complete firewall configuration for the lists'
complete -c tl-fw -n "__fish_tl_fw_needs_command" -f -a "apply" -d 'Replace the live rules and sets atomically (nftables, ipset, pf)'
complete -c tl-fw -n "__fish_tl_fw_needs_command" -f -a "check" -d 'Say whether the live rules and sets match the lists'
complete -c tl-fw -n "__fish_tl_fw_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -l server -d 'The nameserver: an address or host name, optionally with :PORT ([v6]:PORT for IPv6)' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -l port -d 'The port, unless --server gives one' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -l zone -d 'The profile\'s zone, as tl-zone --out publishes it (PROFILE.ORIGIN)' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -l form -d 'The published form to read: a, aaaa, apl, txt (repeatable; default apl)' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -l list -d 'A list to pull: block-in, block-out, allow (repeatable; default all)' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -l tsig-key -d 'TSIG key: a BIND or NSD key file, or name:algorithm:secret' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -l timeout -d 'Seconds to wait for the connection and for each read' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -l retries -d 'Further tries when the zone changes during the pull' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -l block-in -d 'block-in from a file, - or URL instead of DNS' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -l block-out -d 'block-out from a file, - or URL instead of DNS' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -l allow -d 'allow from a file, - or URL instead of DNS' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -l protect -d 'An address no block list may cover (repeatable; the nameserver asked always is)' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -s o -l output -d 'The directory for block-in.txt, block-out.txt and allow.txt' -r -F
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand pull" -s h -l help -d 'Print help'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -s t -l target -d 'The firewall: nftables, ipset, pf, asa, mikrotik, paloalto, fortinet, srx, windows' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -l block-in -d 'The inbound block list (instead of DIR); - for stdin' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -l block-out -d 'The outbound block list (instead of DIR)' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -l allow -d 'The allow-list (instead of DIR)' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -l scores -d 'Scores CSV (tl-score\'s output) to keep the highest-scoring entries when a list is longer than the device takes' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -l max-entries -d 'At most N entries per list [default: the target\'s documented limit]' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -l name -d 'Name of the table, sets or lists' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -l log-prefix -d 'Prefix of the log line of an outbound drop' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -l log-in-prefix -d 'Also log inbound drops, with this prefix (nftables and ipset only); put a drop word in it (e.g. "threatlist drop in: ") so that tl-logs reads the lines as inbound drops and sensor events' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -l nameserver -d 'An address the firewall needs (its resolver): a list that blocks it is refused' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -s o -l output -d 'Write to FILE (one-file targets) or into DIR (with manifest.json) [default: stdout, one-file targets only]' -r -F
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -l no-ipv6 -d 'Leave IPv6 out (counted and named in the manifest)'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand render" -s h -l help -d 'Print help'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -s t -l target -d 'The firewall: nftables, ipset, pf, asa, mikrotik, paloalto, fortinet, srx, windows' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -l block-in -d 'The inbound block list (instead of DIR); - for stdin' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -l block-out -d 'The outbound block list (instead of DIR)' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -l allow -d 'The allow-list (instead of DIR)' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -l scores -d 'Scores CSV (tl-score\'s output) to keep the highest-scoring entries when a list is longer than the device takes' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -l max-entries -d 'At most N entries per list [default: the target\'s documented limit]' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -l name -d 'Name of the table, sets or lists' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -l log-prefix -d 'Prefix of the log line of an outbound drop' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -l log-in-prefix -d 'Also log inbound drops, with this prefix (nftables and ipset only); put a drop word in it (e.g. "threatlist drop in: ") so that tl-logs reads the lines as inbound drops and sensor events' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -l nameserver -d 'An address the firewall needs (its resolver): a list that blocks it is refused' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -l no-ipv6 -d 'Leave IPv6 out (counted and named in the manifest)'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -l dry-run -d 'Show what would change (entries added and removed per set, from the live sets); change nothing'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand apply" -s h -l help -d 'Print help'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand check" -s t -l target -d 'The firewall: nftables, ipset, pf, asa, mikrotik, paloalto, fortinet, srx, windows' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand check" -l block-in -d 'The inbound block list (instead of DIR); - for stdin' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand check" -l block-out -d 'The outbound block list (instead of DIR)' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand check" -l allow -d 'The allow-list (instead of DIR)' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand check" -l scores -d 'Scores CSV (tl-score\'s output) to keep the highest-scoring entries when a list is longer than the device takes' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand check" -l max-entries -d 'At most N entries per list [default: the target\'s documented limit]' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand check" -l name -d 'Name of the table, sets or lists' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand check" -l log-prefix -d 'Prefix of the log line of an outbound drop' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand check" -l log-in-prefix -d 'Also log inbound drops, with this prefix (nftables and ipset only); put a drop word in it (e.g. "threatlist drop in: ") so that tl-logs reads the lines as inbound drops and sensor events' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand check" -l nameserver -d 'An address the firewall needs (its resolver): a list that blocks it is refused' -r
complete -c tl-fw -n "__fish_tl_fw_using_subcommand check" -l no-ipv6 -d 'Leave IPv6 out (counted and named in the manifest)'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand check" -l full -d 'Also count every live element (nftables: lists the sets, seconds for large ones)'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand check" -s h -l help -d 'Print help'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand help; and not __fish_seen_subcommand_from pull render apply check help" -f -a "pull" -d 'Fetch a profile\'s lists from its nameserver (or files, URLs)'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand help; and not __fish_seen_subcommand_from pull render apply check help" -f -a "render" -d 'Write a complete firewall configuration for the lists'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand help; and not __fish_seen_subcommand_from pull render apply check help" -f -a "apply" -d 'Replace the live rules and sets atomically (nftables, ipset, pf)'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand help; and not __fish_seen_subcommand_from pull render apply check help" -f -a "check" -d 'Say whether the live rules and sets match the lists'
complete -c tl-fw -n "__fish_tl_fw_using_subcommand help; and not __fish_seen_subcommand_from pull render apply check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
