//! `explain` and the effective-access model under it, checked against the RHEL 7 and qemu
//! facts of shared/domain (rhel7.md sections 1, 3, 4; qemu.md 2b, 2c).

mod common;

use common::Case;
use drvpolicy::access::{self, Context, Installed, Layer, Outcome};
use drvpolicy::explain::{DriverBlock, ExplainView};
use drvpolicy::policy::Policy;
use drvpolicy::profile::{Access, Program};
use drvpolicy::store::Store;

fn resolved(name: &str) -> (Policy, Store) {
    let mut store = Store::new(&[]).expect("shipped profiles");
    let policy = drvpolicy::resolve::resolve(&mut store, name).expect("a shipped profile resolves").policy;
    (policy, store)
}

fn explained(profile: &str, name: &str, arch: Option<&str>) -> ExplainView {
    let (policy, store) = resolved(profile);
    drvpolicy::explain::view(&policy, arch, name, &Installed::All, &store.sources).expect("a known name")
}

fn block<'v>(view: &'v ExplainView, arch: &str) -> &'v DriverBlock {
    let driver = view.driver.as_ref().expect("a driver explanation");
    driver.blocks.iter().find(|b| b.arches.iter().any(|a| a == arch)).expect("a block for the arch")
}

fn program<'b>(block: &'b DriverBlock, program: &str) -> &'b drvpolicy::explain::ProgramLine {
    block.access.iter().find(|p| p.program == program).expect("a line for the program")
}

fn layer(block: &DriverBlock, layer: Layer) -> &drvpolicy::explain::LayerLine {
    block.layers.iter().find(|l| l.layer == layer).expect("a line for the layer")
}

// rhel7.md 1: `--block-drv-ro-whitelist=vmdk,vhdx,vpc,ssh,https`, only the emulator enforces the
// lists; 3: libguestfs 7.2+ removes https ("unknown protocol"); 4: virt-v2v needs https and ssh
// read-only as backing files, which the ro whitelist satisfies. modern.md 6: qemu's curl driver
// refuses any read-write open, so even the tools get read-only access.
#[test]
fn rhel_7_3_https_is_ro_in_the_emulator_and_the_tools_and_refused_by_libguestfs() {
    let view = explained("rhel-7.3", "https", Some("x86_64"));
    let x86 = block(&view, "x86_64");

    let emulator = program(x86, "emulator");
    assert_eq!((emulator.access.as_str(), emulator.layer), ("ro", Layer::RoWhitelist));
    assert_eq!(emulator.message.as_deref(), Some("Driver 'https' can only be used for read-only devices"));
    assert_eq!(emulator.origin.to_string(), "profiles/rhel-7.2.toml:20:32", "the `ssh, https` ro addition of 7.2");

    let tools = program(x86, "tools");
    assert_eq!((tools.access.as_str(), tools.layer), ("ro", Layer::Capability));
    // qemu 1.5's curl_open does not refuse a read-write open (the check came in 1.6, a7cea2ba47,
    // and RHEL 7's el7 patches do not backport it); the driver simply cannot write.
    assert_eq!(tools.message, None);
    assert!(tools.reason.ends_with("the driver has no write support"), "{}", tools.reason);
    assert_eq!(layer(x86, Layer::Capability).outcome, Outcome::ReadOnly);

    let libguestfs = program(x86, "libguestfs");
    assert_eq!((libguestfs.access.as_str(), libguestfs.layer), ("none", Layer::Libguestfs));
    assert_eq!(libguestfs.message.as_deref(), Some("unknown protocol 'https'"));

    assert_eq!(x86.consumers.len(), 2, "virt-v2v needs https through the emulator and qemu-img");
    assert!(x86.consumers.iter().all(|c| c.consumer == "virt-v2v" && c.needs == "ro" && c.gets == "ro" && c.met));
    let (policy, _) = resolved("rhel-7.3");
    let arch = policy.arch("x86_64").unwrap();
    let needs = access::needs(Context::new(&policy, arch, &Installed::All));
    assert!(needs.iter().any(|n| n.need.driver == "ssh"), "virt-v2v's Xen input needs ssh");
    assert!(needs.iter().all(|n| n.met), "every virt-v2v need is met on rhel-7.3 x86_64");
}

#[test]
fn rhel_7_3_rbd_is_compiled_out_on_aarch64_and_ppc64le_only() {
    let view = explained("rhel-7.3", "rbd", None);
    let aarch64 = block(&view, "aarch64");
    assert_eq!(aarch64.arches, ["ppc64le", "aarch64"], "identical chains are folded into one block");
    let build = layer(aarch64, Layer::Build);
    assert_eq!((build.outcome, build.detail.as_str()), (Outcome::Refuse, "compiled out: rbd is unavailable"));
    assert_eq!(build.origin.to_string(), "profiles/rhel-7.2.toml:32:20");
    let tools = program(aarch64, "tools");
    assert_eq!((tools.access.as_str(), tools.layer), ("none", Layer::Build));

    let x86 = block(&view, "x86_64");
    assert_eq!(x86.arches, ["x86_64"]);
    assert_eq!(layer(x86, Layer::Build).outcome, Outcome::Pass);
    assert_eq!(program(x86, "emulator").access, "rw", "rbd is rw-whitelisted from 7.1");
    assert_eq!(program(x86, "libguestfs").access, "rw", "7.2 re-enabled rbd in add_drive");

    // `rbd` is also the build option's name: its state per arch comes along.
    let feature = view.feature.as_ref().expect("the rbd option");
    let states: Vec<(Vec<String>, &str)> =
        feature.blocks.iter().map(|b| (b.arches.clone(), b.state.map_or("not set", |s| s.as_str()))).collect();
    assert_eq!(
        states,
        [(vec!["x86_64".to_string()], "enable"), (vec!["ppc64le".to_string(), "aarch64".to_string()], "unavailable")]
    );
}

#[test]
fn rhel_7_3_vpc_is_read_only_with_the_exact_message() {
    let view = explained("rhel-7.3", "vpc", Some("x86_64"));
    let x86 = block(&view, "x86_64");
    let emulator = program(x86, "emulator");
    assert_eq!(emulator.access, "ro");
    assert_eq!(emulator.message.as_deref(), Some("Driver 'vpc' can only be used for read-only devices"));
    let ro = layer(x86, Layer::RoWhitelist);
    assert_eq!((ro.outcome, ro.origin.to_string().as_str()), (Outcome::ReadOnly, "profiles/rhel-7.0.toml:28:33"));
    assert_eq!(program(x86, "libguestfs").access, "n/a", "no add_drive protocol opens a format");
}

#[test]
fn rhel_7_3_qcow_is_on_neither_list() {
    let view = explained("rhel-7.3", "qcow", Some("x86_64"));
    let x86 = block(&view, "x86_64");
    let emulator = program(x86, "emulator");
    // Not on the rw list, so the ro list is its last chance, and it is not there either.
    assert_eq!((emulator.access.as_str(), emulator.layer), ("none", Layer::RoWhitelist));
    assert_eq!(emulator.message.as_deref(), Some("Driver 'qcow' is not whitelisted"));
    let tools = program(x86, "tools");
    assert_eq!(tools.access, "rw", "qemu-img ignores the whitelists (the article's side note)");
    assert_eq!(tools.layer, Layer::WhitelistInTools);
    assert_eq!(layer(x86, Layer::RoWhitelist).outcome, Outcome::Refuse);
}

// qemu.md 2c: 1.6.x refuses silently with ENOTSUP; upstream 1.5.3 prints "'%s' invalid format"
// for -drive format=X. RHEL's 1.5.3 backports the 1.7 messages (checked above).
#[test]
fn the_refusal_message_depends_on_the_qemu_version() {
    let profile = |version: &str| {
        format!(
            "[profile]\nproduct = \"upstream\"\nrelease = \"{version}\"\narches = [\"x86_64\"]\n\n[qemu]\npackage = \"qemu\"\nversion = \"{version}\"\nrw-whitelist = [\"qcow2\", \"raw\", \"file\"]\n"
        )
    };
    let run = Case::new(["explain", "up", "qcow", "--format", "json"]).profile("up", &profile("1.6.0")).run();
    run.exits(0).stdout_has("no message of its own: the open fails with ENOTSUP");
    let run = Case::new(["explain", "up", "qcow", "--format", "json"]).profile("up", &profile("1.5.3")).run();
    run.exits(0).stdout_has("'qcow' invalid format (with -drive format=qcow)");
    let run = Case::new(["explain", "up", "qcow", "--format", "json"]).profile("up", &profile("2.12.0")).run();
    run.exits(0).stdout_has("\"Driver 'qcow' is not whitelisted\"");
}

// qemu.md 2a/2b: from 6.1, --enable-block-drv-whitelist-in-tools makes qemu-img apply the lists.
#[test]
fn whitelist_in_tools_makes_the_tools_follow_the_lists() {
    let toml = r#"
[profile]
product = "upstream"
release = "6.2"
arches = ["x86_64"]

[qemu]
package = "qemu"
version = "6.2.0"
rw-whitelist = ["qcow2", "raw", "file"]
ro-whitelist = ["vpc"]
whitelist-in-tools = true

[libvirt]
disabled-protocols = ["gluster"]
"#;
    let run = Case::new(["explain", "up", "vpc", "--format", "json"]).profile("up", toml).run();
    run.exits(0);
    let view: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let tools = &view["driver"]["blocks"][0]["access"][1];
    assert_eq!(tools["program"], "tools");
    assert_eq!(tools["access"], "ro");
    assert_eq!(tools["message"], "Driver 'vpc' can only be used for read-only devices");

    // A profile that describes libvirt makes it a layer of its own.
    let run = Case::new(["explain", "up", "gluster", "--arch", "x86_64"]).profile("up", toml).run();
    run.exits(0)
        .stdout_has("libvirt             refused  libvirt disables the gluster disk source protocol")
        .stdout_has("libvirt     none  by libvirt");
}

#[test]
fn libvirt_left_undescribed_decides_nothing_and_described_passes_network_disks() {
    // debian-13 has no [libvirt] table.
    let view = explained("debian-13", "nbd", Some("x86_64"));
    let x86 = block(&view, "x86_64");
    let libvirt = layer(x86, Layer::Libvirt);
    assert_eq!(
        (libvirt.outcome, libvirt.detail.as_str()),
        (Outcome::NoEffect, "not described by the profiles: decides nothing")
    );
    let through = program(x86, "libvirt");
    assert_eq!((through.access.as_str(), through.layer), ("rw", Layer::RwWhitelist));
    // rhel-7.3 describes libvirt 2.0.0: a network disk passes, and the emulator decides.
    let view = explained("rhel-7.3", "nbd", Some("x86_64"));
    let x86 = block(&view, "x86_64");
    let libvirt = layer(x86, Layer::Libvirt);
    assert_eq!(
        (libvirt.outcome, libvirt.detail.as_str()),
        (Outcome::Pass, "<disk type='network'> protocol `nbd`: libvirt passes it to qemu")
    );
    // libvirt hands the disk to the emulator, whose rw whitelist decides.
    let through = program(x86, "libvirt");
    assert_eq!((through.access.as_str(), through.layer), ("rw", Layer::RwWhitelist));
    assert_eq!(through.through, ["emulator"]);
    assert_eq!(program(x86, "libguestfs").access, "rw", "nbd is left in add_drive and rw-whitelisted");
}

// modern.md 6 and qemu's block/curl.c, bochs.c: what a read-write open of a driver that never
// writes meets, by version.
#[test]
fn a_read_write_open_of_a_read_only_driver_fails_with_the_versions_message() {
    let profile = |version: &str| {
        format!(
            "[profile]\nproduct = \"upstream\"\nrelease = \"{version}\"\narches = [\"x86_64\"]\n\n[qemu]\npackage = \"qemu\"\nversion = \"{version}\"\n"
        )
    };
    let tools = |version: &str, driver: &str| {
        let run = Case::new(["explain", "up", driver, "--format", "json"]).profile("up", &profile(version)).run();
        run.exits(0);
        let view: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let tools = view["driver"]["blocks"][0]["access"][1].clone();
        assert_eq!(
            (tools["program"].as_str(), tools["access"].as_str()),
            (Some("tools"), Some("ro")),
            "{version} {driver}"
        );
        assert_eq!(tools["layer"], "capability", "{version} {driver}");
        tools["message"].as_str().map(str::to_string)
    };
    assert_eq!(tools("2.12.0", "https").as_deref(), Some("curl block device does not support writes"));
    assert_eq!(tools("10.0.2", "https").as_deref(), Some("curl driver does not support writes"));
    assert_eq!(tools("10.0.2", "bochs").as_deref(), Some("Image is read-only"));
    // Before 3.1 qemu opened bochs images read-only instead of failing.
    assert_eq!(tools("2.12.0", "cloop"), None);
}

// qemu.md 4: Debian's qemu 10.0.2 has no whitelists and no libblkio; modern.md 6: the curl
// family, bochs, cloop and dmg can never be opened read-write, whatever the whitelists say.
#[test]
fn debian_13_allows_everything_compiled_in_as_far_as_each_driver_can() {
    let read_only = ["bochs", "cloop", "dmg", "http", "https", "ftp", "ftps"];
    let (policy, _) = resolved("debian-13");
    let arch = policy.arch("x86_64").unwrap();
    let mut compiled_out = Vec::new();
    for driver in arch.drivers.iter() {
        let emulator = access::program_access(&policy, arch, Program::Emulator, driver.name).unwrap();
        let tools = access::program_access(&policy, arch, Program::Tools, driver.name).unwrap();
        if !driver.compiled_in {
            compiled_out.push(driver.name);
            assert_eq!(emulator.value, Access::None);
            continue;
        }
        let best = if read_only.contains(&driver.name) { Access::ReadOnly } else { Access::ReadWrite };
        assert_eq!(emulator.value, best, "{} in the emulator", driver.name);
        // qemu.md 1c: blkreplay is built into the system emulator only from 5.2.
        let expected = if driver.name == "blkreplay" { Access::None } else { best };
        assert_eq!(tools.value, expected, "{} in the tools", driver.name);
    }
    assert_eq!(
        compiled_out,
        ["io_uring", "nvme-io_uring", "virtio-blk-vfio-pci", "virtio-blk-vhost-user", "virtio-blk-vhost-vdpa"]
    );
}

/// Laws of the layered model that follow from the domain, on every shipped profile, arch and
/// driver: a program above another never gets more than the one it goes through; a driver that
/// can never write gives no program `rw`; a tools-only arch has no emulator; a compiled-out
/// driver is refused to everyone.
#[test]
fn the_layers_obey_the_domain_laws_everywhere() {
    let catalogue = drvpolicy::catalogue::Catalogue::get();
    for name in common::shipped_profiles() {
        let (policy, _) = resolved(&name);
        for arch in &policy.arches {
            for driver in catalogue.drivers.keys() {
                let evaluation = access::evaluate(Context::new(&policy, arch, &Installed::All), driver);
                let what = format!("{name} {} {driver}", arch.arch);
                let get = |p: Program| evaluation.verdict(p).map(|v| v.value);
                for program in Program::ALL {
                    if let (Some(above), Some(next)) = (get(*program), access::goes_through(*program, &policy)) {
                        let below = get(next).expect("the emulator always answers");
                        assert!(above <= below, "{what}: {program} gets more than {next}");
                    }
                }
                if evaluation.step(Layer::Capability).is_some_and(|s| s.outcome == Outcome::ReadOnly) {
                    for program in Program::ALL {
                        assert_ne!(
                            get(*program),
                            Some(Access::ReadWrite),
                            "{what}: {program} writes a read-only driver"
                        );
                    }
                }
                if !arch.has_emulator() {
                    assert_eq!(get(Program::Emulator), Some(Access::None), "{what}: tools-only");
                }
                if !arch.compiled_in(driver) {
                    for program in Program::ALL {
                        assert!(get(*program).is_none_or(|a| a == Access::None), "{what}: {program} opens it");
                    }
                }
            }
        }
    }
}

#[test]
fn a_build_option_is_explained_per_arch() {
    let view = explained("rhel-7.3", "curl", None);
    assert_eq!(view.kind, "feature");
    assert!(view.driver.is_none());
    let feature = view.feature.as_ref().unwrap();
    assert_eq!(feature.drivers, ["http", "https", "ftp", "ftps", "tftp"], "qemu.md: curl gives tftp before 2.8");
    assert_eq!((feature.configure.flag.as_deref(), feature.configure.ignored), (Some("curl"), false));
    let x86 = &feature.blocks[0];
    assert_eq!(x86.arches, ["x86_64"]);
    assert_eq!((x86.state.map(|s| s.as_str()), x86.argument.as_deref()), (Some("enable"), Some("--enable-curl")));
    assert_eq!(x86.origin.to_string(), "profiles/rhel-7.2.toml:23:8");
    // The tools-only arches get a bare configure (rhel7.md 1).
    assert_eq!(feature.blocks[1].arches, ["ppc64le", "aarch64"]);
    assert_eq!(feature.blocks[1].argument, None);

    let virtfs = explained("rhel-7.3", "virtfs", Some("x86_64"));
    let virtfs = virtfs.feature.as_ref().unwrap();
    assert!(virtfs.drivers.is_empty(), "9p is a device, not a block driver");
    assert_eq!(virtfs.blocks[0].argument.as_deref(), Some("--disable-virtfs"), "rhel7.md 1: 9p off everywhere");
}

#[test]
fn unknown_names_and_arches_exit_2_with_a_suggestion() {
    Case::new(["explain", "rhel-7.3", "rdb"]).run().exits(2).stderr_has("did you mean `rbd`");
    Case::new(["explain", "rhel-7.3", "zzzzzz"]).run().exits(2).stderr_has("is not a qemu block driver");
    Case::new(["explain", "rhel-7.3", "https", "--arch", "s390x"]).run().exits(2).stderr_has("does not build `s390x`");
    Case::new(["explain", "rhel-7.3", "https", "--arch", "x86-64"]).run().exits(2).stderr_has("did you mean `x86_64`");
    Case::new(["explain", "rhel-7.33", "https"]).run().exits(2);
}

#[test]
fn output_is_deterministic() {
    let first = Case::new(["explain", "rhel-7.2-rhev", "rbd", "--format", "json"]).run();
    let second = Case::new(["explain", "rhel-7.2-rhev", "rbd", "--format", "json"]).run();
    assert_eq!(first.exits(0).stdout, second.exits(0).stdout);
}

fn snapshot(name: &str, args: &[&str]) {
    let run = Case::new(args).run();
    run.exits(0);
    insta::assert_snapshot!(name, run.stdout);
}

#[test]
fn snapshots_text() {
    snapshot("explain_rhel_7_3_https", &["explain", "rhel-7.3", "https"]);
    snapshot("explain_rhel_7_3_rbd", &["explain", "rhel-7.3", "rbd"]);
    snapshot("explain_rhel_7_3_qcow_x86_64", &["explain", "rhel-7.3", "qcow", "--arch", "x86_64"]);
    snapshot("explain_rhel_7_3_curl", &["explain", "rhel-7.3", "curl"]);
    snapshot("explain_rhel_7_3_virtfs", &["explain", "rhel-7.3", "virtfs"]);
    snapshot("explain_rhel_7_2_rhev_rbd", &["explain", "rhel-7.2-rhev", "rbd"]);
    snapshot("explain_rhel_7_2_rhev_ssh", &["explain", "rhel-7.2-rhev", "ssh"]);
}

/// https is the article's example: every shipped profile, both formats.
#[test]
fn snapshots_of_https_on_every_shipped_profile() {
    for profile in common::shipped_profiles() {
        snapshot(&format!("explain_every_{profile}_https"), &["explain", &profile, "https"]);
        snapshot(&format!("explain_every_{profile}_https_json"), &["explain", &profile, "https", "--format", "json"]);
    }
}

#[test]
fn snapshots_json() {
    snapshot("explain_rhel_7_3_https_json", &["explain", "rhel-7.3", "https", "--format", "json"]);
    snapshot("explain_rhel_7_3_curl_json", &["explain", "rhel-7.3", "curl", "--format", "json"]);
    snapshot(
        "explain_rhel_7_2_rhev_rbd_json",
        &["explain", "rhel-7.2-rhev", "rbd", "--arch", "ppc64", "--format", "json"],
    );
}

// rhel7.md 3: libguestfs 7.0 and 7.1 patch out rbd; 7.2 re-enables it. The absence of rbd from the
// disabled list is decided by rhel-7.2's `remove`, not by the list rhel-7.0 wrote.
#[test]
fn an_absence_is_traced_to_the_edit_that_removed_it() {
    let view = explained("rhel-7.3", "rbd", Some("x86_64"));
    let libguestfs = layer(block(&view, "x86_64"), Layer::Libguestfs);
    assert_eq!(libguestfs.outcome, Outcome::Pass);
    assert_eq!(libguestfs.origin.to_string(), "profiles/rhel-7.2.toml:37:34");

    // rhel-7.2-rhev takes gluster out of the rw list off x86_64 (rhel7.md 2: gluster x86_64 only).
    let view = explained("rhel-7.2-rhev", "gluster", Some("ppc64le"));
    let rw = layer(block(&view, "ppc64le"), Layer::RwWhitelist);
    assert_eq!(rw.detail, "not listed");
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/rhel-7.2-rhev.toml")).unwrap();
    let edit = r#"rw-whitelist = { remove = ["gluster", "rbd"] }"#;
    let line = shipped.lines().position(|l| l == edit).expect("the selector's edit") + 1;
    assert_eq!(rw.origin.to_string(), format!("profiles/rhel-7.2-rhev.toml:{line}:28"));
}

// qemu.md 1c: copy-on-read is upstream from 3.0; rhel-7.6-rhev (2.12.0) has it through the
// profile's backport, which is what decides it.
#[test]
fn a_backported_driver_cites_the_backport() {
    let view = explained("rhel-7.6-rhev", "copy-on-read", Some("x86_64"));
    let build = layer(block(&view, "x86_64"), Layer::Build);
    assert_eq!(build.detail, "added after qemu 2.12.0; here through the backport 6c6f24fd");
    assert!(build.origin.to_string().starts_with("profiles/rhel-7.6-rhev.toml:"), "{}", build.origin);
}

// qemu.md 1a: vhdx reads only in 1.5 and 1.6 (create and write from 1.7).
#[test]
fn vhdx_reads_only_before_1_7_whatever_the_program() {
    let view = explained("rhel-7.3", "vhdx", Some("x86_64"));
    let x86 = block(&view, "x86_64");
    assert_eq!(program(x86, "tools").access, "ro");
    assert_eq!(program(x86, "emulator").access, "ro");
    assert_eq!(layer(x86, Layer::Capability).outcome, Outcome::ReadOnly);
    let view = explained("rhel-7.2-rhev", "vhdx", Some("x86_64"));
    assert_eq!(program(block(&view, "x86_64"), "tools").access, "rw", "2.3 writes vhdx");
}

#[test]
fn whitelists_do_not_apply_on_a_tools_only_arch() {
    let view = explained("rhel-7.3", "https", Some("aarch64"));
    let aarch64 = block(&view, "aarch64");
    for name in [Layer::RwWhitelist, Layer::RoWhitelist] {
        assert_eq!(layer(aarch64, name).outcome, Outcome::NoEffect);
        assert!(layer(aarch64, name).detail.starts_with("no emulator"), "{}", layer(aarch64, name).detail);
    }
    assert_eq!(program(aarch64, "emulator").access, "none");
    assert_eq!(program(aarch64, "tools").access, "ro", "the curl driver only reads");
}
