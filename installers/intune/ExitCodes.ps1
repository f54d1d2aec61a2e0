# kiro-bootstrap's exit codes (README "Exit codes") and what each means to Intune.
# Dot-sourced by Install.ps1 and Uninstall.ps1 (with the helpers that put the agent in place
# and start it); tests/installers compares this table with the
# agent's ExitStatus, so a new exit code cannot ship without a decision here.
#   Success : the app is in the wanted state; Intune then runs the detection script.
#   Retry   : not now (Kiro running, nobody signed in, network down); Intune retries.
#   Failed  : needs a person; the agent's own code is passed on so the Intune report names it.
# No code of ours asks for a reboot: Kiro installs per user and needs none.
$KiroBootstrapExitMeaning = @{
    0   = 'Success'  # done, or already up to date
    1   = 'Failed'   # internal error (a bug)
    2   = 'Failed'   # bad usage or configuration
    3   = 'Failed'   # host not supported (OS, architecture)
    4   = 'Retry'    # network or service unavailable
    5   = 'Failed'   # verification failed: never retried blindly
    6   = 'Failed'   # install failed, previous state restored
    7   = 'Retry'    # not now: Kiro running, nobody signed in, another run holds the lock
    8   = 'Failed'   # installed, but the user is not subscribed
    9   = 'Failed'   # cannot work as set up
    10  = 'Failed'   # AWS precondition (admin side only)
    11  = 'Failed'   # not installed
    12  = 'Failed'   # installed but drifted or behind
    130 = 'Retry'    # interrupted
}

# Intune's default return codes for the meanings that are not failures (Win32 app
# "Return codes": 0 Success, 1618 Retry).
$IntuneSuccessCode = 0
$IntuneRetryCode = 1618
# Putting the agent in place over a locked copy: tries, and the wait between them.
$AgentCopyAttempts = 5
$AgentCopyRetrySeconds = 3

function ConvertTo-IntuneExitCode {
    <# The exit code Intune should see for an exit code of the agent. #>
    param([Parameter(Mandatory)][int]$AgentExitCode)
    $meaning = $KiroBootstrapExitMeaning[$AgentExitCode]
    if ($meaning -eq 'Success') { return $IntuneSuccessCode }
    if ($meaning -eq 'Retry') { return $IntuneRetryCode }
    # Failed, or a code this table does not know (a newer agent): pass the agent's code on.
    return $AgentExitCode
}

function Resolve-KiroBootstrapBinary {
    <# KIRO_BOOTSTRAP_BIN, else the installed agent under Program Files. #>
    if ($env:KIRO_BOOTSTRAP_BIN) { return $env:KIRO_BOOTSTRAP_BIN }
    return Join-Path $env:ProgramFiles 'kiro-bootstrap\kiro-bootstrap.exe'
}

function Install-KiroBootstrapAgent {
    <#
    Put the packaged agent at Destination; $true when it is there. A running agent (a
    scheduled `status`) locks its file against overwriting but not against renaming, so the
    new copy is written beside it and swapped in: the old file is renamed aside and deleted
    when it can be (else on a later run). Sharing violations from a scanner are retried.
    #>
    param([Parameter(Mandatory)][string]$Source, [Parameter(Mandatory)][string]$Destination)
    $folder = Split-Path -Parent $Destination
    $incoming = "$Destination.new"
    for ($attempt = 1; $attempt -le $AgentCopyAttempts; $attempt++) {
        try {
            New-Item -ItemType Directory -Force -Path $folder -ErrorAction Stop | Out-Null
            Get-ChildItem -LiteralPath $folder -Filter '*.old-*' -ErrorAction SilentlyContinue |
                Remove-Item -Force -ErrorAction SilentlyContinue
            Copy-Item -LiteralPath $Source -Destination $incoming -Force -ErrorAction Stop
            if (Test-Path -LiteralPath $Destination) {
                $aside = "$Destination.old-$([DateTime]::UtcNow.ToString('yyyyMMddHHmmss'))"
                Move-Item -LiteralPath $Destination -Destination $aside -Force -ErrorAction Stop
                Remove-Item -LiteralPath $aside -Force -ErrorAction SilentlyContinue
            }
            Move-Item -LiteralPath $incoming -Destination $Destination -Force -ErrorAction Stop
            return $true
        } catch {
            # Write-Host: output written here would become part of the return value.
            Write-Host "kiro-bootstrap: putting the agent in place failed (attempt $attempt): $($_.Exception.Message)"
            Start-Sleep -Seconds $AgentCopyRetrySeconds
        }
    }
    return $false
}

function Invoke-KiroBootstrap {
    <# Run the agent with `Arguments`; its exit code. #>
    param([Parameter(Mandatory)][string]$Agent, [string[]]$Arguments = @())
    # Windows PowerShell 5.1 turns a native program's stderr into error records; with 'Stop'
    # the first warning the agent prints would end this script before its exit code is read.
    $ErrorActionPreference = 'Continue'
    # The agent rejects KIRO_BOOTSTRAP_* names it does not know (a typo must not pass silently).
    Remove-Item -Path Env:KIRO_BOOTSTRAP_BIN -ErrorAction SilentlyContinue
    # Out-Host keeps the agent's lines out of this function's return value (only the code).
    & $Agent @Arguments | Out-Host
    return $LASTEXITCODE
}
