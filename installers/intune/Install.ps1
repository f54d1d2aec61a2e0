<#
.SYNOPSIS
Intune Win32 app install command: put the agent in place and run `kiro-bootstrap install --silent`.

.DESCRIPTION
Runs as SYSTEM. The agent itself installs Kiro for the signed-in person (Kiro has no
machine-wide installer) and writes C:\ProgramData\kiro-bootstrap\status.json, which
Detect.ps1 reads. The agent's exit code is translated for Intune by ExitCodes.ps1.

Every option is a named parameter or a switch: under `powershell.exe -File` an argument that
starts with "-" is taken as a parameter name, so a free-text "--close-running" cannot be passed.

There is no Linux certificate pin parameter: on Windows the agent checks the installer's
Authenticode signature (release.signing.windows_publishers / windows_thumbprints, set through
the policy key HKLM\SOFTWARE\Policies\KiroBootstrap) and never reads linux_trust.

Install command:
  %SystemRoot%\Sysnative\WindowsPowerShell\v1.0\powershell.exe -NoProfile -ExecutionPolicy Bypass
    -File .\Install.ps1 -StartUrl https://d-1234567890.awsapps.com/start -IdcRegion us-east-1
    [-Version 1.0.310] [-CloseRunning] [-AllowUnsupportedOs]
#>
[CmdletBinding()]
param(
    [string]$StartUrl = '',
    [Alias('Region')][string]$IdcRegion = '',
    [string]$Version = '',
    [switch]$CloseRunning,
    [switch]$AllowUnsupportedOs
)
. (Join-Path $PSScriptRoot 'ExitCodes.ps1')

$agent = Resolve-KiroBootstrapBinary
$packaged = Join-Path $PSScriptRoot 'kiro-bootstrap.exe'
# The .intunewin carries the agent beside this script: install it where Detect.ps1,
# Uninstall.ps1 and later runs find it (only when no KIRO_BOOTSTRAP_BIN says otherwise).
if (-not $env:KIRO_BOOTSTRAP_BIN -and (Test-Path -LiteralPath $packaged)) {
    if (-not (Install-KiroBootstrapAgent -Source $packaged -Destination $agent)) {
        Write-Output "kiro-bootstrap: could not put the agent in place at $agent (it stays locked); Intune retries."
        exit $IntuneRetryCode
    }
}
if (-not (Test-Path -LiteralPath $agent)) {
    Write-Output "kiro-bootstrap: the agent $agent is missing; package kiro-bootstrap.exe beside Install.ps1."
    exit 9
}

# Settings go through the agent's documented environment layer; MDM policy
# (HKLM\SOFTWARE\Policies\KiroBootstrap) still wins for the keys it locks.
if ($StartUrl) { $env:KIRO_BOOTSTRAP_IDENTITY_CENTER__START_URL = $StartUrl }
if ($IdcRegion) { $env:KIRO_BOOTSTRAP_IDENTITY_CENTER__REGION = $IdcRegion }
if ($Version) { $env:KIRO_BOOTSTRAP_RELEASE__VERSION = $Version }
$arguments = @('install', '--silent')
if ($CloseRunning) { $arguments += '--close-running' }
if ($AllowUnsupportedOs) { $arguments += '--allow-unsupported-os' }

$agentExitCode = Invoke-KiroBootstrap -Agent $agent -Arguments $arguments
Write-Output "kiro-bootstrap install exited $agentExitCode ($($KiroBootstrapExitMeaning[$agentExitCode]))"
exit (ConvertTo-IntuneExitCode -AgentExitCode $agentExitCode)
