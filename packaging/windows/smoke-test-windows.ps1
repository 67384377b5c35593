# Install the ExecDash installer silently and check the *installed* program
# (the Windows counterpart of packaging/smoke-test-linux.sh).
#
#   pwsh packaging/windows/smoke-test-windows.ps1 [dist\ExecDash-<version>-setup.exe]
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$setup = if ($args.Count -gt 0) { $args[0] } else {
  (Get-ChildItem dist\*-setup.exe | Sort-Object LastWriteTime | Select-Object -Last 1).FullName }
if (-not $setup) { throw "no installer in dist\ (run build-windows.ps1 first)" }
$dir = Join-Path $env:RUNNER_TEMP "ExecDash-smoke"
if (-not $env:RUNNER_TEMP) { $dir = Join-Path $env:TEMP "ExecDash-smoke" }

Write-Host "== installing $setup into $dir"
$p = Start-Process -FilePath $setup -Wait -PassThru -ArgumentList `
  "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/DIR=`"$dir`""
if ($p.ExitCode) { throw "the installer exited with $($p.ExitCode)" }
foreach ($f in "ExecDash.exe", "execdash-cli.exe", "unins000.exe") {
  if (-not (Test-Path (Join-Path $dir $f))) { throw "missing $f" }
}
$shortcut = Join-Path ([Environment]::GetFolderPath("Programs")) "ExecDash.lnk"
if (-not (Test-Path $shortcut)) { throw "no Start menu shortcut $shortcut" }

$cli = Join-Path $dir "execdash-cli.exe"
Write-Host "== execdash-cli --version"
$got = (& $cli --version | Out-String).Trim()
Write-Host $got
Write-Host "== execdash-cli --self-test (offscreen)"
$env:QT_QPA_PLATFORM = "offscreen"
& $cli --self-test
if ($LASTEXITCODE) { throw "--self-test failed" }
Remove-Item Env:QT_QPA_PLATFORM
Write-Host "== execdash-cli demo / kpis --json"
$db = Join-Path $dir "..\execdash-smoke-demo.sqlite"
& $cli demo --db $db --orders 20000 --end 2026-10 --force
if ($LASTEXITCODE) { throw "demo failed" }
$json = (& $cli kpis --db $db --json | Out-String)
if ($json -notmatch '"executiveKpis"') { throw "kpis --json printed no KPIs" }

Write-Host "== uninstalling"
$p = Start-Process -FilePath (Join-Path $dir "unins000.exe") -Wait -PassThru -ArgumentList "/VERYSILENT", "/SUPPRESSMSGBOXES"
if ($p.ExitCode) { throw "the uninstaller exited with $($p.ExitCode)" }
Write-Host ("installer {0}: {1:N1} MB" -f (Split-Path $setup -Leaf), ((Get-Item $setup).Length / 1MB))
Write-Host "== smoke test passed"
