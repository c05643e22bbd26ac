# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tl_geo_global_optspecs
    string join \n h/help V/version
end

function __fish_tl_geo_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tl_geo_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tl_geo_using_subcommand
    set -l cmd (__fish_tl_geo_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tl-geo -n "__fish_tl_geo_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tl-geo -n "__fish_tl_geo_needs_command" -s V -l version -d 'Print version'
complete -c tl-geo -n "__fish_tl_geo_needs_command" -f -a "lookup" -d 'Country, continent, EU flag (and ASN) of addresses, as CSV'
complete -c tl-geo -n "__fish_tl_geo_needs_command" -f -a "annotate" -d 'Add country and asn columns to a CSV stream'
complete -c tl-geo -n "__fish_tl_geo_needs_command" -f -a "extract" -d 'The networks of countries, continents or ASNs, as a minimal CIDR list'
complete -c tl-geo -n "__fish_tl_geo_needs_command" -f -a "build" -d 'Write a MaxMind DB file from CSV'
complete -c tl-geo -n "__fish_tl_geo_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand lookup" -l db -d 'Country database (GeoLite2/GeoIP2 Country or City, DB-IP, ...)' -r -F
complete -c tl-geo -n "__fish_tl_geo_using_subcommand lookup" -l asn-db -d 'ASN database (GeoLite2-ASN, ...)' -r -F
complete -c tl-geo -n "__fish_tl_geo_using_subcommand lookup" -l cache-dir -d 'Keep the flattened range tables of the databases in DIR and reuse them' -r -F
complete -c tl-geo -n "__fish_tl_geo_using_subcommand lookup" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-geo -n "__fish_tl_geo_using_subcommand lookup" -l registered -d 'Also print the country where the network is registered'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand lookup" -l lenient -d 'Skip bad input lines (counted on stderr) instead of stopping'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand lookup" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand lookup" -s h -l help -d 'Print help'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand annotate" -l db -d 'Country database (GeoLite2/GeoIP2 Country or City, DB-IP, ...)' -r -F
complete -c tl-geo -n "__fish_tl_geo_using_subcommand annotate" -l asn-db -d 'ASN database (GeoLite2-ASN, ...)' -r -F
complete -c tl-geo -n "__fish_tl_geo_using_subcommand annotate" -l cache-dir -d 'Keep the flattened range tables of the databases in DIR and reuse them' -r -F
complete -c tl-geo -n "__fish_tl_geo_using_subcommand annotate" -s c -l column -d 'The column holding addresses or networks [default: the first of indicator, source, address, ip, network]' -r
complete -c tl-geo -n "__fish_tl_geo_using_subcommand annotate" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-geo -n "__fish_tl_geo_using_subcommand annotate" -s h -l help -d 'Print help'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -l db -d 'Country database (GeoLite2/GeoIP2 Country or City, DB-IP, ...)' -r -F
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -l asn-db -d 'ASN database (GeoLite2-ASN, ...)' -r -F
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -l cache-dir -d 'Keep the flattened range tables of the databases in DIR and reuse them' -r -F
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -l continent -d 'Continent codes: AF AN AS EU NA OC SA' -r
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -l asn -d 'Autonomous system numbers (64496 or AS64496)' -r
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -l by -d 'Which country of a network the country codes select by' -r -f -a "country\t'where the network is'
registered\t'where it is registered'
represented\t'whose embassy or forces use it'
any\t'any of the three'"
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -s f -l format -d 'Output: CIDR prefixes or start-end ranges' -r -f -a "cidr\t''
range\t''"
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -s o -l output -d 'Write to FILE atomically instead of stdout' -r
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -l anonymous-proxy -d 'Also networks flagged as anonymous proxies'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -l satellite-provider -d 'Also networks flagged as satellite providers'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -s 4 -l ipv4 -d 'Only IPv4'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -s 6 -l ipv6 -d 'Only IPv6'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand extract" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand build" -s o -l db -l output -d 'The database to write (replaced atomically)' -r -F
complete -c tl-geo -n "__fish_tl_geo_using_subcommand build" -l type -d 'database_type in the metadata [default: tl-geo-Country, tl-geo-ASN or tl-geo-Country-ASN, by the columns present]' -r
complete -c tl-geo -n "__fish_tl_geo_using_subcommand build" -l build-epoch -d 'build_epoch in the metadata, in seconds since 1970 (fixed, so the same CSV always gives the same file)' -r
complete -c tl-geo -n "__fish_tl_geo_using_subcommand build" -l description -d 'English description in the metadata' -r
complete -c tl-geo -n "__fish_tl_geo_using_subcommand build" -s h -l help -d 'Print help'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand help; and not __fish_seen_subcommand_from lookup annotate extract build help" -f -a "lookup" -d 'Country, continent, EU flag (and ASN) of addresses, as CSV'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand help; and not __fish_seen_subcommand_from lookup annotate extract build help" -f -a "annotate" -d 'Add country and asn columns to a CSV stream'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand help; and not __fish_seen_subcommand_from lookup annotate extract build help" -f -a "extract" -d 'The networks of countries, continents or ASNs, as a minimal CIDR list'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand help; and not __fish_seen_subcommand_from lookup annotate extract build help" -f -a "build" -d 'Write a MaxMind DB file from CSV'
complete -c tl-geo -n "__fish_tl_geo_using_subcommand help; and not __fish_seen_subcommand_from lookup annotate extract build help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
