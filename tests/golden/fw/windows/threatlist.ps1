# Windows Defender Firewall rules, written by tl-fw render --target windows.
# Run in an elevated PowerShell: powershell -ExecutionPolicy Bypass -File threatlist.ps1
#
# In Windows Firewall a block rule wins over allow rules (short of IPsec-
# authenticated bypass), so no allow rule could exempt the allow-list: it is
# taken out of the block lists. No allow rule is written either: it would
# open every port to those addresses.
# Windows logs drops per profile, not per rule; to log them:
#   Set-NetFirewallProfile -All -LogBlocked True
# A rule is never written without addresses: an empty -RemoteAddress means any.

$ErrorActionPreference = 'Stop'
$group = 'threatlist'
$old = @(Get-NetFirewallRule -Group $group -ErrorAction SilentlyContinue)
# block-in: 6 entries, 1 rule(s) of at most 1000 addresses
New-NetFirewallRule -DisplayName 'threatlist block-in 1/1' -Group $group -Direction Inbound -Action Block -Profile Any -RemoteAddress @(
  '192.0.2.7',
  '198.51.100.0-198.51.100.76',
  '198.51.100.78-198.51.100.255',
  '203.0.113.10-203.0.113.20',
  '2001:db8:1::/49',
  '2001:db8:2::5'
) | Out-Null
# block-out: 3 entries, 1 rule(s) of at most 1000 addresses
New-NetFirewallRule -DisplayName 'threatlist block-out 1/1' -Group $group -Direction Outbound -Action Block -Profile Any -RemoteAddress @(
  '192.0.2.7',
  '203.0.113.128/25',
  '2001:db8:bad::/64'
) | Out-Null
if ($old.Count -gt 0) { $old | Remove-NetFirewallRule }
