<#
.SYNOPSIS
Intune Win32 app uninstall command: `kiro-bootstrap uninstall` (Kiro is removed as the person
who has it; their data is kept unless -Purge).

Uninstall command:
  %SystemRoot%\Sysnative\WindowsPowerShell\v1.0\powershell.exe -NoProfile -ExecutionPolicy Bypass
    -File .\Uninstall.ps1 [-CloseRunning] [-Purge]
#>
[CmdletBinding()]
param(
    [switch]$CloseRunning,
    [switch]$Purge
)
. (Join-Path $PSScriptRoot 'ExitCodes.ps1')

$agent = Resolve-KiroBootstrapBinary
if (-not (Test-Path -LiteralPath $agent)) {
    # No agent, nothing it installed: the wanted state already holds.
    Write-Output "kiro-bootstrap: the agent $agent is not installed; nothing to remove."
    exit $IntuneSuccessCode
}
$arguments = @('uninstall')
if ($CloseRunning) { $arguments += '--close-running' }
if ($Purge) { $arguments += '--purge' }
$agentExitCode = Invoke-KiroBootstrap -Agent $agent -Arguments $arguments
# For an uninstall, "not installed" (11) is the wanted state, not a failure.
if ($agentExitCode -eq 11) { $agentExitCode = 0 }
Write-Output "kiro-bootstrap uninstall exited $agentExitCode ($($KiroBootstrapExitMeaning[$agentExitCode]))"
exit (ConvertTo-IntuneExitCode -AgentExitCode $agentExitCode)
