; Per-user installer of the clas-bilan application (no administrator rights asked).
; Built by .github/workflows/release.yml after scripts/build_app.py:
;   ISCC.exe /DAppVersion=0.1.0 packaging\windows\clas-bilan.iss
; Written without a Windows machine to try it on: the release workflow is its first run.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6C3E2F4A-8B1D-4E7A-9F2C-5D0B1A3C7E91}
AppName=Bilan CLAS
AppVersion={#AppVersion}
AppPublisher=L'équipe clas-bilan
DefaultDirName={localappdata}\Programs\clas-bilan
DefaultGroupName=Bilan CLAS
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist\installer
OutputBaseFilename=clas-bilan-{#AppVersion}-installation
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\clas-bilan.exe

[Languages]
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "Créer une icône sur le Bureau"; Flags: unchecked

[Files]
Source: "..\..\dist\clas-bilan\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Bilan CLAS"; Filename: "{app}\clas-bilan.exe"; Comment: "Remplir le bilan CLAS dans le navigateur"
Name: "{autodesktop}\Bilan CLAS"; Filename: "{app}\clas-bilan.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\clas-bilan.exe"; Description: "Ouvrir le bilan CLAS maintenant"; Flags: nowait postinstall skipifsilent
