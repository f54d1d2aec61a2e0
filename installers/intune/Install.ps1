<#
.SYNOPSIS
Intune Win32 app install command: put the agent in place and run `kiro-bootstrap install --silent`.

.DESCRIPTION
Runs as SYSTEM. The agent itself installs Kiro for the signed-in person (Kiro has no
machine-wide installer) and writes C:\ProgramData\kiro-bootstrap\status.json, which
Detect.ps1 reads. The agent's exit code is translated for Intune by ExitCodes.ps1.

Install command:
  %SystemRoot%\Sysnative\WindowsPowerShell\v1.0\powershell.exe -NoProfile -ExecutionPolicy Bypass
    -File .\Install.ps1 -StartUrl https://d-1234567890.awsapps.com/start -Region us-east-1
#>
[CmdletBinding()]
param(
    [string]$StartUrl = '',
    [string]$Region = '',
    [string]$Version = '',
    [string]$ExtraArguments = ''
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'ExitCodes.ps1')

$agent = Resolve-KiroBootstrapBinary
$packaged = Join-Path $PSScriptRoot 'kiro-bootstrap.exe'
# The .intunewin carries the agent beside this script: install it where Detect.ps1,
# Uninstall.ps1 and later runs find it (only when no KIRO_BOOTSTRAP_BIN says otherwise).
if (-not $env:KIRO_BOOTSTRAP_BIN -and (Test-Path -LiteralPath $packaged)) {
    New-Item -ItemType Directory -Force -Path (Split-Path $agent) | Out-Null
    Copy-Item -LiteralPath $packaged -Destination $agent -Force
}
if (-not (Test-Path -LiteralPath $agent)) {
    Write-Output "kiro-bootstrap: the agent $agent is missing; package kiro-bootstrap.exe beside Install.ps1."
    exit 9
}

# Settings go through the agent's documented environment layer; MDM policy
# (HKLM\SOFTWARE\Policies\KiroBootstrap) still wins for the keys it locks.
if ($StartUrl) { $env:KIRO_BOOTSTRAP_IDENTITY_CENTER__START_URL = $StartUrl }
if ($Region) { $env:KIRO_BOOTSTRAP_IDENTITY_CENTER__REGION = $Region }
if ($Version) { $env:KIRO_BOOTSTRAP_RELEASE__VERSION = $Version }
$arguments = @('install', '--silent') + @($ExtraArguments -split '\s+' | Where-Object { $_ })

$agentExitCode = Invoke-KiroBootstrap -Agent $agent -Arguments $arguments
Write-Output "kiro-bootstrap install exited $agentExitCode ($($KiroBootstrapExitMeaning[$agentExitCode]))"
exit (ConvertTo-IntuneExitCode -AgentExitCode $agentExitCode)
