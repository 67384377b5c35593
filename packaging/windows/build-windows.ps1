# Build the ExecDash bundle (build.spec) and from it the Windows installer (Inno Setup).
# The Windows counterpart of packaging/build-linux.sh; run by .github/workflows/package.yml.
#
#   pwsh packaging/windows/build-windows.ps1      (python: the one with the project and
#                                                 PyInstaller installed, e.g. a venv's)
# Output: dist\ExecDash\ (ExecDash.exe, windowed; execdash-cli.exe, its console twin)
#         dist\ExecDash-<version>-setup.exe
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$py = if ($env:PYTHON) { $env:PYTHON } else { "python" }

function Meta($key) { (& $py packaging/bundle_config.py $key).Trim() }
$name = Meta name
$version = Meta version
$org = Meta org
$domain = Meta domain
$bundle = "dist\$name"

Write-Host "== PyInstaller: build.spec -> $bundle"
& $py -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller build.spec
if ($LASTEXITCODE) { throw "PyInstaller failed" }

Write-Host "== checking the bundle"
$cli = Join-Path $bundle "execdash-cli.exe"
$got = (& $cli --version | Out-String).Trim()
if ($got -ne "$name $version") { throw "--version printed '$got', expected '$name $version'" }
Write-Host $got
$env:QT_QPA_PLATFORM = "offscreen"
& $cli --self-test
if ($LASTEXITCODE) { throw "the bundle's --self-test failed" }
Remove-Item Env:QT_QPA_PLATFORM

Write-Host "== Inno Setup installer"
$iscc = Get-Command iscc.exe -ErrorAction SilentlyContinue | Select-Object -ExpandProperty Source
if (-not $iscc) { $iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $iscc)) {
  choco install innosetup -y --no-progress
  $iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"
}
$root = (Get-Location).Path
& $iscc /Q "/DAppName=$name" "/DAppVersion=$version" "/DAppPublisher=$org" "/DAppDomain=$domain" `
  "/DSourceDir=$root\$bundle" "/DOutputDir=$root\dist" "/DIconFile=$root\resources\app-icon.ico" `
  packaging\windows\execdash.iss
if ($LASTEXITCODE) { throw "ISCC failed" }

Write-Host "== sizes"
$bundleMB = [math]::Round((Get-ChildItem $bundle -Recurse -File | Measure-Object Length -Sum).Sum / 1MB)
$setup = Get-Item "dist\$name-$version-setup.exe"
Write-Host ("bundle {0}: {1} MB" -f $bundle, $bundleMB)
Write-Host ("installer {0}: {1:N1} MB" -f $setup.Name, ($setup.Length / 1MB))
