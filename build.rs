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

fn main() {
    println!("cargo:rerun-if-changed=profiles");
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=src/catalogue/qemu.toml");
    println!("cargo:rerun-if-changed=src/catalogue/mod.rs");
    println!("cargo:rerun-if-changed=src/version.rs");
    // The crate itself (not this script's copy of the catalogue module) reads the bytes.
    println!("cargo::rustc-cfg=drvpolicy_catalogue");

    let text = std::fs::read_to_string("src/catalogue/qemu.toml").expect("read src/catalogue/qemu.toml");
    let parsed = catalogue::Catalogue::from_toml(&text).unwrap_or_else(|e| panic!("src/catalogue/qemu.toml: {e}"));
    let bytes = postcard::to_allocvec(&parsed).unwrap_or_else(|e| panic!("the catalogue in postcard form: {e}"));
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("catalogue.postcard"), bytes).expect("write the catalogue");
}
