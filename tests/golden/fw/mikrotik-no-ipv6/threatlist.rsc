# RouterOS script, written by tl-fw render --target mikrotik.
# Upload it and run: /import file-name=threatlist.rsc
#
# Drops traffic from the threatlist_block_in lists (chains input and forward) and
# drops and logs traffic to the threatlist_block_out lists (chains forward and
# output), through the chains threatlist-in and threatlist-out, jumped to from the top.
# The allow-list is already taken out of the block lists; no accept rule is
# written for it, which would let allowed addresses past your other rules.
# Each list is loaded as LIST_new, dropped by a rule of its own, then renamed.
#
# IPv4: 13 entries to drop inbound, 2 outbound.
/ip firewall address-list
remove [find list="threatlist_block_in_new"]
add list="threatlist_block_in_new" address=192.0.2.7
add list="threatlist_block_in_new" address=198.51.100.0/26
add list="threatlist_block_in_new" address=198.51.100.64/29
add list="threatlist_block_in_new" address=198.51.100.72/30
add list="threatlist_block_in_new" address=198.51.100.76
add list="threatlist_block_in_new" address=198.51.100.78/31
add list="threatlist_block_in_new" address=198.51.100.80/28
add list="threatlist_block_in_new" address=198.51.100.96/27
add list="threatlist_block_in_new" address=198.51.100.128/25
add list="threatlist_block_in_new" address=203.0.113.10/31
add list="threatlist_block_in_new" address=203.0.113.12/30
add list="threatlist_block_in_new" address=203.0.113.16/30
add list="threatlist_block_in_new" address=203.0.113.20
remove [find list="threatlist_block_out_new"]
add list="threatlist_block_out_new" address=192.0.2.7
add list="threatlist_block_out_new" address=203.0.113.128/25
:if ([:len [/ip firewall filter find comment="threatlist:threatlist:block-in"]] = 0) do={ /ip firewall filter add chain="threatlist-in" action=drop src-address-list="threatlist_block_in" comment="threatlist:threatlist:block-in" }
:if ([:len [/ip firewall filter find comment="threatlist:threatlist:block-in-new"]] = 0) do={ /ip firewall filter add chain="threatlist-in" action=drop src-address-list="threatlist_block_in_new" comment="threatlist:threatlist:block-in-new" }
:if ([:len [/ip firewall filter find comment="threatlist:threatlist:block-out"]] = 0) do={ /ip firewall filter add chain="threatlist-out" action=drop dst-address-list="threatlist_block_out" log=yes log-prefix="threatlist drop out: " comment="threatlist:threatlist:block-out" }
:if ([:len [/ip firewall filter find comment="threatlist:threatlist:block-out-new"]] = 0) do={ /ip firewall filter add chain="threatlist-out" action=drop dst-address-list="threatlist_block_out_new" log=yes log-prefix="threatlist drop out: " comment="threatlist:threatlist:block-out-new" }
:if ([:len [/ip firewall filter find comment="threatlist:threatlist:input-in"]] = 0) do={ :local first [/ip firewall filter find dynamic=no]; :if ([:len $first] = 0) do={ /ip firewall filter add chain=input action=jump jump-target="threatlist-in" comment="threatlist:threatlist:input-in" } else={ /ip firewall filter add chain=input action=jump jump-target="threatlist-in" comment="threatlist:threatlist:input-in" place-before=[:pick $first 0] } }
:if ([:len [/ip firewall filter find comment="threatlist:threatlist:forward-in"]] = 0) do={ :local first [/ip firewall filter find dynamic=no]; :if ([:len $first] = 0) do={ /ip firewall filter add chain=forward action=jump jump-target="threatlist-in" comment="threatlist:threatlist:forward-in" } else={ /ip firewall filter add chain=forward action=jump jump-target="threatlist-in" comment="threatlist:threatlist:forward-in" place-before=[:pick $first 0] } }
:if ([:len [/ip firewall filter find comment="threatlist:threatlist:forward-out"]] = 0) do={ :local first [/ip firewall filter find dynamic=no]; :if ([:len $first] = 0) do={ /ip firewall filter add chain=forward action=jump jump-target="threatlist-out" comment="threatlist:threatlist:forward-out" } else={ /ip firewall filter add chain=forward action=jump jump-target="threatlist-out" comment="threatlist:threatlist:forward-out" place-before=[:pick $first 0] } }
:if ([:len [/ip firewall filter find comment="threatlist:threatlist:output-out"]] = 0) do={ :local first [/ip firewall filter find dynamic=no]; :if ([:len $first] = 0) do={ /ip firewall filter add chain=output action=jump jump-target="threatlist-out" comment="threatlist:threatlist:output-out" } else={ /ip firewall filter add chain=output action=jump jump-target="threatlist-out" comment="threatlist:threatlist:output-out" place-before=[:pick $first 0] } }
/ip firewall address-list
remove [find list="threatlist_block_in"]
set [find list="threatlist_block_in_new"] list="threatlist_block_in"
remove [find list="threatlist_block_out"]
set [find list="threatlist_block_out_new"] list="threatlist_block_out"
#
# IPv6: left out (--no-ipv6).
