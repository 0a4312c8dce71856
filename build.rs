// The shipped profiles and templates are embedded with include_dir; rebuild when they change.
// The catalogue is parsed here, once, with the crate's own types (the same source files), and
// written in postcard form for `Catalogue::get` to decode at start-up: parsing the TOML at every
// run was more than half of a command's start-up.

#[allow(dead_code)]
#[path = "src/version.rs"]
mod version;

#[allow(dead_code)]
#[path = "src/catalogue/mod.rs"]
mod catalogue;

// The profile parser and what it reports with, to parse the shipped profiles once.
#[allow(dead_code)]
#[path = "src/code.rs"]
mod code;
#[allow(dead_code)]
#[path = "src/diagnostic.rs"]
mod diagnostic;
#[allow(dead_code)]
#[path = "src/profile/mod.rs"]
mod profile;
#[allow(dead_code)]
#[path = "src/source.rs"]
mod source;

fn main() {
    println!("cargo:rerun-if-changed=profiles");
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=src/catalogue/qemu.toml");
    println!("cargo:rerun-if-changed=src/catalogue/mod.rs");
    println!("cargo:rerun-if-changed=src/version.rs");
    for parser in ["src/profile", "src/code.rs", "src/diagnostic.rs", "src/source.rs"] {
        println!("cargo:rerun-if-changed={parser}");
    }
    // The crate itself (not this script's copy of the catalogue module) reads the bytes.
    println!("cargo::rustc-cfg=drvpolicy_catalogue");
    link_the_unwinder_statically();

    let text = std::fs::read_to_string("src/catalogue/qemu.toml").expect("read src/catalogue/qemu.toml");
    let parsed = catalogue::Catalogue::from_toml(&text).unwrap_or_else(|e| panic!("src/catalogue/qemu.toml: {e}"));
    let bytes = postcard::to_allocvec(&parsed).unwrap_or_else(|e| panic!("the catalogue in postcard form: {e}"));
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("catalogue.postcard"), bytes).expect("write the catalogue");
    std::fs::write(out.join("profiles.postcard"), parsed_profiles()).expect("write the parsed profiles");
}

/// On glibc, std's unwinder comes from libgcc_s.so.1, one more shared object for the loader to find,
/// map and relocate at every start (about 0.2 ms a start here; README, Performance). The same code
/// is in gcc's libgcc_eh.a, which a static build links already. Named here, it comes before std's
/// `-lgcc_s` on the link line, the linker takes the unwinder from it, and `--as-needed` drops
/// libgcc_s. Not bundled into the rlib: only the final links need it. Where the C compiler (`$CC`,
/// or `cc`, the linker rustc runs by default) has no libgcc_eh.a, the build keeps libgcc_s rather
/// than fail.
fn link_the_unwinder_statically() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux" || var("CARGO_CFG_TARGET_ENV") != "gnu" {
        return;
    }
    println!("cargo:rerun-if-env-changed=CC");
    let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    // gcc prints the archive's path when it has one and the bare name when it has not.
    let archive = std::process::Command::new(&cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| std::path::PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    match archive {
        Some(path) if path.is_absolute() && path.is_file() => {
            println!("cargo::rustc-link-lib=static:-bundle=gcc_eh");
        }
        _ => println!(
            "cargo::warning={} has no libgcc_eh.a: the binary loads libgcc_s.so.1 for its unwinder",
            cc.to_string_lossy()
        ),
    }
}

/// Each shipped profile that parses without a problem, by name, as the run would parse it
/// (its problems are reported from a parse at run time, the one `check` shows).
fn parsed_profiles() -> Vec<u8> {
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir("profiles")
        .expect("read profiles/")
        .map(|e| e.expect("read profiles/").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut parsed: Vec<(String, Vec<u8>)> = Vec::new();
    for path in paths {
        let name = path.file_stem().and_then(|s| s.to_str()).expect("a UTF-8 profile name").to_string();
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let Ok(profile) = profile::parse_profile(&name, 0, &text) else { continue };
        if profile.problems.is_empty() {
            let bytes = postcard::to_allocvec(&profile).unwrap_or_else(|e| panic!("{name} in postcard form: {e}"));
            parsed.push((name, bytes));
        }
    }
    postcard::to_allocvec(&parsed).expect("the parsed profiles in postcard form")
}
