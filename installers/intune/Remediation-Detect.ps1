<#
.SYNOPSIS
Intune Remediations detection script: refresh Kiro's fleet state and report it.

.DESCRIPTION
Runs as SYSTEM on Intune's schedule (daily is enough). After a random pause of up to
$MaxStartDelaySeconds (30 minutes: a fleet's checks are spread so the release mirror and the
roster host are not asked all at once), it runs `kiro-bootstrap status --inventory --json`,
which records the state in C:\ProgramData\kiro-bootstrap\status.json and exits 0 unless the
check itself failed. It compares the `state` the agent computed, nothing else: compliant is
exit 0 (no issue); any other state is printed (Intune's "pre-remediation detection output")
and exit 1, so Remediation-Fix.ps1 runs. Settings come from the agent's policy source
(HKLM\SOFTWARE\Policies\KiroBootstrap), the same one the Win32 app's runs read.
#>
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'ExitCodes.ps1')

$MaxStartDelaySeconds = 1800
$IssueFound = 1

Start-Sleep -Seconds (Get-Random -Minimum 0 -Maximum $MaxStartDelaySeconds)
$agent = Resolve-KiroBootstrapBinary
if (-not (Test-Path -LiteralPath $agent)) {
    Write-Output "not-installed: the agent $agent is missing"
    exit $IssueFound
}
$answer = (& $agent status --inventory --json | Out-String) | ConvertFrom-Json
if ($answer.state -eq 'compliant') {
    Write-Output "compliant: Kiro $($answer.version) for $($answer.user)"
    exit 0
}
Write-Output "$($answer.state): Kiro $($answer.version) for $($answer.user)"
exit $IssueFound
