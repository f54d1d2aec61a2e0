<#
.SYNOPSIS
Intune Remediations remediation script: fix what installing again can fix, then re-check.

.DESCRIPTION
Runs as SYSTEM after Remediation-Detect.ps1 found a state other than compliant. It reads the
`state` the agent recorded and computes nothing: for the states an install repairs
(not-installed, behind, drifted, unconfigured, failed) it runs `kiro-bootstrap install
--silent`; the others (unsupported, not-subscribed, pending-admin) need a person, so it only
says which. Then `status --inventory` records the state for inventory. Exit 0 when the state is
now compliant, else 1 (Intune reports "remediation failed" with this script's output).
#>
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'ExitCodes.ps1')

$FixedByInstall = @('not-installed', 'behind', 'drifted', 'unconfigured', 'failed')
$NotFixed = 1

function Get-KiroState([string]$Agent) {
    <# The agent's answer to `status --inventory --json` (it records the state as it answers). #>
    return (& $Agent status --inventory --json | Out-String) | ConvertFrom-Json
}

$agent = Resolve-KiroBootstrapBinary
if (-not (Test-Path -LiteralPath $agent)) {
    Write-Output "The agent $agent is missing: deploy the kiro-bootstrap Win32 app first."
    exit $NotFixed
}
$before = Get-KiroState $agent
if ($FixedByInstall -contains [string]$before.state) {
    $agentExitCode = Invoke-KiroBootstrap -Agent $agent -Arguments @('install', '--silent')
    Write-Output "$($before.state): kiro-bootstrap install exited $agentExitCode ($($KiroBootstrapExitMeaning[$agentExitCode]))"
} else {
    Write-Output "$($before.state): installing again would not help; $($before.state_fix.what)"
}
$after = Get-KiroState $agent
Write-Output "now $($after.state)"
if ($after.state -eq 'compliant') { exit 0 }
exit $NotFixed
