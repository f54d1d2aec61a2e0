<#
.SYNOPSIS
Intune Win32 app custom detection script: is Kiro installed and configured for the person
signed in at the console?

.DESCRIPTION
Runs as SYSTEM, where HKCU and %LOCALAPPDATA% are SYSTEM's own and never show a per-user Kiro.
So it reads the agent's machine-wide status file, picks the console user's record, and
cross-checks it against that person's own registry hive (HKU\<SID>) when it is loaded: a Kiro
the person removed in Settings is not detected even if the status file still lists it.

It compares the `state` the agent computed and wrote (README "Inventory: the status file") and
computes nothing of its own. Detected (Intune: exit 0 with output): Kiro is there and installing
again would not help - compliant, drifted, pending-admin, not-subscribed, unconfigured, or a
failed last run with Kiro in place. Not detected (exit 0, no output): not-installed, behind,
unsupported, a failed run with nothing installed; Intune then runs Install.ps1, which
installs, updates or reports why it cannot.
#>
$ErrorActionPreference = 'Stop'

$StatusFile = Join-Path $env:ProgramData 'kiro-bootstrap\status.json'
# The agent's states for which Kiro counts as installed (DECISIONS §4).
$DetectedStates = @('compliant', 'drifted', 'pending-admin', 'not-subscribed', 'unconfigured')
# Kiro's Inno Setup uninstall key (per user; FACTS: AppId {A2CA08B5-...}_is1).
$KiroUninstallKey = 'Software\Microsoft\Windows\CurrentVersion\Uninstall\{A2CA08B5-C756-463E-B13D-F051F4F11F0B}_is1'

function Get-ConsoleUser {
    <# "DOMAIN\name" of the person at the console, or $null when nobody is signed in. #>
    $name = (Get-CimInstance -ClassName Win32_ComputerSystem).UserName
    if ($name) { return [string]$name }
    return $null
}

function Get-AccountName([string]$User) {
    <# The account without its domain: "AzureAD\alice" -> "alice". #>
    return ($User -split '\\')[-1]
}

function Find-UserRecord($Status, [string]$ConsoleUser) {
    <# The console user's record (names compared without domain, ignoring case). #>
    if (-not $Status.users) { return $null }
    foreach ($entry in $Status.users.PSObject.Properties) {
        if ($ConsoleUser -and (Get-AccountName $entry.Name) -ieq (Get-AccountName $ConsoleUser)) {
            return $entry.Value
        }
    }
    if (-not $ConsoleUser) {
        # Nobody signed in: any detected record will do (Intune checks again later).
        foreach ($entry in $Status.users.PSObject.Properties) {
            if (Test-Detected $entry.Value) { return $entry.Value }
        }
    }
    return $null
}

function Test-Detected($Record) {
    <# Whether the agent's recorded state means Kiro is in place for this person. #>
    if (-not $Record) { return $false }
    if ($DetectedStates -contains [string]$Record.state) { return $true }
    return ([string]$Record.state -eq 'failed') -and [bool]$Record.kiro_version
}

function Get-HiveKiroVersion([string]$ConsoleUser) {
    <# DisplayVersion from the console user's loaded hive; '' when absent; $null when unknown. #>
    try {
        $sid = (New-Object System.Security.Principal.NTAccount($ConsoleUser)).Translate(
            [System.Security.Principal.SecurityIdentifier]).Value
    } catch {
        return $null
    }
    $hive = "Registry::HKEY_USERS\$sid"
    if (-not (Test-Path -LiteralPath $hive)) { return $null }  # hive not loaded: cannot tell
    $key = Get-ItemProperty -LiteralPath "$hive\$KiroUninstallKey" -ErrorAction SilentlyContinue
    if ($key -and $key.DisplayVersion) { return [string]$key.DisplayVersion }
    return ''
}

if (-not (Test-Path -LiteralPath $StatusFile)) { exit 0 }
try {
    $status = Get-Content -LiteralPath $StatusFile -Raw -Encoding UTF8 | ConvertFrom-Json
} catch {
    exit 0  # a damaged status file: not detected, so the agent runs and rewrites it
}
$consoleUser = Get-ConsoleUser
$record = Find-UserRecord $status $consoleUser
if (-not (Test-Detected $record)) { exit 0 }
if ($consoleUser) {
    $hiveVersion = Get-HiveKiroVersion $consoleUser
    if ($hiveVersion -eq '') { exit 0 }  # the person uninstalled Kiro since the last run
}
Write-Output "Kiro $($record.kiro_version) for $($record.user): $($record.state)"
exit 0
