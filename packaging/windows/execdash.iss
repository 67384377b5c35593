; Inno Setup script of the ExecDash installer for Windows (Inno Setup 6.3 or later).
; Built by packaging/windows/build-windows.ps1 from the PyInstaller bundle
; (dist\ExecDash, made by build.spec), which passes the metadata read from
; execdash_desktop/__init__.py and pyproject.toml:
;   iscc /DAppName=ExecDash /DAppVersion=0.1.0 /DAppPublisher=ExecDash /DAppDomain=execdash.example
;        /DSourceDir=...\dist\ExecDash /DOutputDir=...\dist /DIconFile=...\resources\app-icon.ico execdash.iss

#ifndef AppName
  #define AppName "ExecDash"
#endif
#ifndef AppVersion
  #error Pass /DAppVersion=<version from pyproject.toml>
#endif
#ifndef AppPublisher
  #define AppPublisher AppName
#endif
#ifndef AppDomain
  #define AppDomain "execdash.example"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\" + AppName
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef IconFile
  #define IconFile "..\..\resources\app-icon.ico"
#endif

[Setup]
; AppId identifies the product to upgrades and the uninstaller: never change it.
AppId={{00F502A1-75AF-4A6A-AD82-53D7AD92C7A5}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
AppPublisherURL=https://{#AppDomain}/
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; per-user install without admin rights unless the user asks for all users
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#AppName}.exe
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppName}.exe"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppName}.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppName}.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
