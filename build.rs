//! Windows builds only: embeds the icon and the version information (from Cargo.toml) into
//! `incident-console.exe` and `sample-metrics.exe`. Other targets build nothing here.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/windows/incident-console.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    let mut parts: Vec<u16> = version
        .split(['.', '-', '+'])
        .take(3)
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    parts.resize(4, 0);
    let numeric = parts
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    // windres reads forward slashes on every host.
    let icon = Path::new(&root)
        .join("assets/windows/incident-console.ico")
        .to_string_lossy()
        .replace('\\', "/");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for (bin, description) in [
        ("incident-console", "Incident Response Console"),
        (
            "sample-metrics",
            "Incident Response Console sample metrics exporter",
        ),
    ] {
        let rc = Path::new(&out).join(format!("{bin}.rc"));
        std::fs::write(&rc, resource(bin, description, &version, &numeric, &icon))
            .expect("OUT_DIR is writable");
        embed_resource::compile_for(&rc, [bin], embed_resource::NONE)
            .manifest_optional()
            .expect("windres (Debian: binutils-mingw-w64-x86-64) compiles the resource");
    }
}

/// The resource script: the icon first (Explorer shows the first icon), then VERSIONINFO.
fn resource(bin: &str, description: &str, version: &str, numeric: &str, icon: &str) -> String {
    format!(
        r#"1 ICON "{icon}"
1 VERSIONINFO
FILEVERSION {numeric}
PRODUCTVERSION {numeric}
FILEOS 0x40004
FILETYPE 0x1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "Incident Response Console authors"
      VALUE "FileDescription", "{description}"
      VALUE "FileVersion", "{version}"
      VALUE "InternalName", "{bin}"
      VALUE "LegalCopyright", "MIT licence"
      VALUE "OriginalFilename", "{bin}.exe"
      VALUE "ProductName", "Incident Response Console"
      VALUE "ProductVersion", "{version}"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
"#
    )
}
