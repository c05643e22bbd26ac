# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tl_set_global_optspecs
    string join \n h/help V/version
end

function __fish_tl_set_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tl_set_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tl_set_using_subcommand
    set -l cmd (__fish_tl_set_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tl-set -n "__fish_tl_set_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tl-set -n "__fish_tl_set_needs_command" -s V -l version -d 'Print version'
complete -c tl-set -n "__fish_tl_set_needs_command" -f -a "union" -d 'Every address in any input, as a minimal list (alias: merge)'
complete -c tl-set -n "__fish_tl_set_needs_command" -f -a "merge" -d 'Every address in any input, as a minimal list (alias: merge)'
complete -c tl-set -n "__fish_tl_set_needs_command" -f -a "common" -d 'Addresses present in every input'
complete -c tl-set -n "__fish_tl_set_needs_command" -f -a "intersect" -d 'Addresses present in every input'
complete -c tl-set -n "__fish_tl_set_needs_command" -f -a "except" -d 'Addresses of the inputs that are in none of the --exclude lists'
complete -c tl-set -n "__fish_tl_set_needs_command" -f -a "diff" -d 'Addresses in exactly one of two inputs; exit 1 when they differ'
complete -c tl-set -n "__fish_tl_set_needs_command" -f -a "complement" -d 'Every address not in any input'
complete -c tl-set -n "__fish_tl_set_needs_command" -f -a "compare" -d 'Overlap of every pair of inputs (for people; --csv, --json)'
complete -c tl-set -n "__fish_tl_set_needs_command" -f -a "count" -d 'Prefixes, IPv4 addresses and IPv6 space of each input (--csv, --json)'
complete -c tl-set -n "__fish_tl_set_needs_command" -f -a "reduce" -d 'The union printed with fewer distinct prefix lengths (for ipset hash:net)'
complete -c tl-set -n "__fish_tl_set_needs_command" -f -a "iprange" -d 'Run with iprange\'s command line (what tl-set does without a subcommand)'
complete -c tl-set -n "__fish_tl_set_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tl-set -n "__fish_tl_set_using_subcommand union" -s f -l format -d 'Output: CIDR prefixes, start-end ranges, or every single address' -r -f -a "cidr\t''
range\t''
ip\t''"
complete -c tl-set -n "__fish_tl_set_using_subcommand union" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand union" -l prefix -d 'Text before each line (e.g. "add blocklist ")' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand union" -l suffix -d 'Text after each line' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand union" -l min-prefix -d 'No IPv4 prefix shorter than N: wider networks print as several /N' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand union" -l lenient -d 'Skip bad lines (counted on stderr) instead of stopping at the first'
complete -c tl-set -n "__fish_tl_set_using_subcommand union" -s 4 -l ipv4 -d 'Only IPv4'
complete -c tl-set -n "__fish_tl_set_using_subcommand union" -s 6 -l ipv6 -d 'Only IPv6'
complete -c tl-set -n "__fish_tl_set_using_subcommand union" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-set -n "__fish_tl_set_using_subcommand union" -s h -l help -d 'Print help'
complete -c tl-set -n "__fish_tl_set_using_subcommand merge" -s f -l format -d 'Output: CIDR prefixes, start-end ranges, or every single address' -r -f -a "cidr\t''
range\t''
ip\t''"
complete -c tl-set -n "__fish_tl_set_using_subcommand merge" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand merge" -l prefix -d 'Text before each line (e.g. "add blocklist ")' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand merge" -l suffix -d 'Text after each line' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand merge" -l min-prefix -d 'No IPv4 prefix shorter than N: wider networks print as several /N' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand merge" -l lenient -d 'Skip bad lines (counted on stderr) instead of stopping at the first'
complete -c tl-set -n "__fish_tl_set_using_subcommand merge" -s 4 -l ipv4 -d 'Only IPv4'
complete -c tl-set -n "__fish_tl_set_using_subcommand merge" -s 6 -l ipv6 -d 'Only IPv6'
complete -c tl-set -n "__fish_tl_set_using_subcommand merge" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-set -n "__fish_tl_set_using_subcommand merge" -s h -l help -d 'Print help'
complete -c tl-set -n "__fish_tl_set_using_subcommand common" -s f -l format -d 'Output: CIDR prefixes, start-end ranges, or every single address' -r -f -a "cidr\t''
range\t''
ip\t''"
complete -c tl-set -n "__fish_tl_set_using_subcommand common" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand common" -l prefix -d 'Text before each line (e.g. "add blocklist ")' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand common" -l suffix -d 'Text after each line' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand common" -l min-prefix -d 'No IPv4 prefix shorter than N: wider networks print as several /N' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand common" -l lenient -d 'Skip bad lines (counted on stderr) instead of stopping at the first'
complete -c tl-set -n "__fish_tl_set_using_subcommand common" -s 4 -l ipv4 -d 'Only IPv4'
complete -c tl-set -n "__fish_tl_set_using_subcommand common" -s 6 -l ipv6 -d 'Only IPv6'
complete -c tl-set -n "__fish_tl_set_using_subcommand common" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-set -n "__fish_tl_set_using_subcommand common" -s h -l help -d 'Print help'
complete -c tl-set -n "__fish_tl_set_using_subcommand intersect" -s f -l format -d 'Output: CIDR prefixes, start-end ranges, or every single address' -r -f -a "cidr\t''
range\t''
ip\t''"
complete -c tl-set -n "__fish_tl_set_using_subcommand intersect" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand intersect" -l prefix -d 'Text before each line (e.g. "add blocklist ")' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand intersect" -l suffix -d 'Text after each line' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand intersect" -l min-prefix -d 'No IPv4 prefix shorter than N: wider networks print as several /N' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand intersect" -l lenient -d 'Skip bad lines (counted on stderr) instead of stopping at the first'
complete -c tl-set -n "__fish_tl_set_using_subcommand intersect" -s 4 -l ipv4 -d 'Only IPv4'
complete -c tl-set -n "__fish_tl_set_using_subcommand intersect" -s 6 -l ipv6 -d 'Only IPv6'
complete -c tl-set -n "__fish_tl_set_using_subcommand intersect" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-set -n "__fish_tl_set_using_subcommand intersect" -s h -l help -d 'Print help'
complete -c tl-set -n "__fish_tl_set_using_subcommand except" -s f -l format -d 'Output: CIDR prefixes, start-end ranges, or every single address' -r -f -a "cidr\t''
range\t''
ip\t''"
complete -c tl-set -n "__fish_tl_set_using_subcommand except" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand except" -l prefix -d 'Text before each line (e.g. "add blocklist ")' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand except" -l suffix -d 'Text after each line' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand except" -l min-prefix -d 'No IPv4 prefix shorter than N: wider networks print as several /N' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand except" -s x -l exclude -d 'A list whose addresses are taken out (repeatable)' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand except" -l lenient -d 'Skip bad lines (counted on stderr) instead of stopping at the first'
complete -c tl-set -n "__fish_tl_set_using_subcommand except" -s 4 -l ipv4 -d 'Only IPv4'
complete -c tl-set -n "__fish_tl_set_using_subcommand except" -s 6 -l ipv6 -d 'Only IPv6'
complete -c tl-set -n "__fish_tl_set_using_subcommand except" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-set -n "__fish_tl_set_using_subcommand except" -s h -l help -d 'Print help'
complete -c tl-set -n "__fish_tl_set_using_subcommand diff" -s f -l format -d 'Output: CIDR prefixes, start-end ranges, or every single address' -r -f -a "cidr\t''
range\t''
ip\t''"
complete -c tl-set -n "__fish_tl_set_using_subcommand diff" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand diff" -l prefix -d 'Text before each line (e.g. "add blocklist ")' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand diff" -l suffix -d 'Text after each line' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand diff" -l min-prefix -d 'No IPv4 prefix shorter than N: wider networks print as several /N' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand diff" -l lenient -d 'Skip bad lines (counted on stderr) instead of stopping at the first'
complete -c tl-set -n "__fish_tl_set_using_subcommand diff" -s 4 -l ipv4 -d 'Only IPv4'
complete -c tl-set -n "__fish_tl_set_using_subcommand diff" -s 6 -l ipv6 -d 'Only IPv6'
complete -c tl-set -n "__fish_tl_set_using_subcommand diff" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-set -n "__fish_tl_set_using_subcommand diff" -l status-only -d 'Print nothing; only the exit status tells (0 same, 1 different)'
complete -c tl-set -n "__fish_tl_set_using_subcommand diff" -s h -l help -d 'Print help'
complete -c tl-set -n "__fish_tl_set_using_subcommand complement" -s f -l format -d 'Output: CIDR prefixes, start-end ranges, or every single address' -r -f -a "cidr\t''
range\t''
ip\t''"
complete -c tl-set -n "__fish_tl_set_using_subcommand complement" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand complement" -l prefix -d 'Text before each line (e.g. "add blocklist ")' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand complement" -l suffix -d 'Text after each line' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand complement" -l min-prefix -d 'No IPv4 prefix shorter than N: wider networks print as several /N' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand complement" -l lenient -d 'Skip bad lines (counted on stderr) instead of stopping at the first'
complete -c tl-set -n "__fish_tl_set_using_subcommand complement" -s 4 -l ipv4 -d 'Only IPv4'
complete -c tl-set -n "__fish_tl_set_using_subcommand complement" -s 6 -l ipv6 -d 'Only IPv6'
complete -c tl-set -n "__fish_tl_set_using_subcommand complement" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-set -n "__fish_tl_set_using_subcommand complement" -s h -l help -d 'Print help'
complete -c tl-set -n "__fish_tl_set_using_subcommand compare" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand compare" -l lenient -d 'Skip bad lines (counted on stderr) instead of stopping at the first'
complete -c tl-set -n "__fish_tl_set_using_subcommand compare" -s 4 -l ipv4 -d 'Only IPv4'
complete -c tl-set -n "__fish_tl_set_using_subcommand compare" -s 6 -l ipv6 -d 'Only IPv6'
complete -c tl-set -n "__fish_tl_set_using_subcommand compare" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-set -n "__fish_tl_set_using_subcommand compare" -l csv -d 'CSV with exact integers, IPv4 and IPv6 addresses in separate columns'
complete -c tl-set -n "__fish_tl_set_using_subcommand compare" -l json -d 'JSON with exact integers (IPv6 counts as strings: they exceed 2^64)'
complete -c tl-set -n "__fish_tl_set_using_subcommand compare" -s h -l help -d 'Print help'
complete -c tl-set -n "__fish_tl_set_using_subcommand count" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand count" -l lenient -d 'Skip bad lines (counted on stderr) instead of stopping at the first'
complete -c tl-set -n "__fish_tl_set_using_subcommand count" -s 4 -l ipv4 -d 'Only IPv4'
complete -c tl-set -n "__fish_tl_set_using_subcommand count" -s 6 -l ipv6 -d 'Only IPv6'
complete -c tl-set -n "__fish_tl_set_using_subcommand count" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-set -n "__fish_tl_set_using_subcommand count" -l union -d 'One row for the union of all inputs instead of one per input'
complete -c tl-set -n "__fish_tl_set_using_subcommand count" -l csv -d 'CSV with exact integers, IPv4 and IPv6 addresses in separate columns'
complete -c tl-set -n "__fish_tl_set_using_subcommand count" -l json -d 'JSON with exact integers (IPv6 counts as strings: they exceed 2^64)'
complete -c tl-set -n "__fish_tl_set_using_subcommand count" -s h -l help -d 'Print help'
complete -c tl-set -n "__fish_tl_set_using_subcommand reduce" -s f -l format -d 'Output: CIDR prefixes, start-end ranges, or every single address' -r -f -a "cidr\t''
range\t''
ip\t''"
complete -c tl-set -n "__fish_tl_set_using_subcommand reduce" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand reduce" -l prefix -d 'Text before each line (e.g. "add blocklist ")' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand reduce" -l suffix -d 'Text after each line' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand reduce" -l min-prefix -d 'No IPv4 prefix shorter than N: wider networks print as several /N' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand reduce" -l percent -d 'Allowed growth of the entry count, in percent' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand reduce" -l entries -d 'Always allow growth up to this many entries' -r
complete -c tl-set -n "__fish_tl_set_using_subcommand reduce" -l lenient -d 'Skip bad lines (counted on stderr) instead of stopping at the first'
complete -c tl-set -n "__fish_tl_set_using_subcommand reduce" -s 4 -l ipv4 -d 'Only IPv4'
complete -c tl-set -n "__fish_tl_set_using_subcommand reduce" -s 6 -l ipv6 -d 'Only IPv6'
complete -c tl-set -n "__fish_tl_set_using_subcommand reduce" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-set -n "__fish_tl_set_using_subcommand reduce" -s h -l help -d 'Print help'
complete -c tl-set -n "__fish_tl_set_using_subcommand help; and not __fish_seen_subcommand_from union common except diff complement compare count reduce iprange help" -f -a "union" -d 'Every address in any input, as a minimal list (alias: merge)'
complete -c tl-set -n "__fish_tl_set_using_subcommand help; and not __fish_seen_subcommand_from union common except diff complement compare count reduce iprange help" -f -a "common" -d 'Addresses present in every input'
complete -c tl-set -n "__fish_tl_set_using_subcommand help; and not __fish_seen_subcommand_from union common except diff complement compare count reduce iprange help" -f -a "except" -d 'Addresses of the inputs that are in none of the --exclude lists'
complete -c tl-set -n "__fish_tl_set_using_subcommand help; and not __fish_seen_subcommand_from union common except diff complement compare count reduce iprange help" -f -a "diff" -d 'Addresses in exactly one of two inputs; exit 1 when they differ'
complete -c tl-set -n "__fish_tl_set_using_subcommand help; and not __fish_seen_subcommand_from union common except diff complement compare count reduce iprange help" -f -a "complement" -d 'Every address not in any input'
complete -c tl-set -n "__fish_tl_set_using_subcommand help; and not __fish_seen_subcommand_from union common except diff complement compare count reduce iprange help" -f -a "compare" -d 'Overlap of every pair of inputs (for people; --csv, --json)'
complete -c tl-set -n "__fish_tl_set_using_subcommand help; and not __fish_seen_subcommand_from union common except diff complement compare count reduce iprange help" -f -a "count" -d 'Prefixes, IPv4 addresses and IPv6 space of each input (--csv, --json)'
complete -c tl-set -n "__fish_tl_set_using_subcommand help; and not __fish_seen_subcommand_from union common except diff complement compare count reduce iprange help" -f -a "reduce" -d 'The union printed with fewer distinct prefix lengths (for ipset hash:net)'
complete -c tl-set -n "__fish_tl_set_using_subcommand help; and not __fish_seen_subcommand_from union common except diff complement compare count reduce iprange help" -f -a "iprange" -d 'Run with iprange\'s command line (what tl-set does without a subcommand)'
complete -c tl-set -n "__fish_tl_set_using_subcommand help; and not __fish_seen_subcommand_from union common except diff complement compare count reduce iprange help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
