//! `matrix`: driver x arch x program, checked against shared/domain facts (rhel7.md 1 and 3,
//! qemu.md 1d and 4) and, for html, with a real XML parser.

mod common;

use common::Case;
use quick_xml::events::Event;
use serde_json::Value;

fn matrix_json(profile: &str, extra: &[&str]) -> Value {
    let mut args = vec!["matrix", profile, "--format", "json"];
    args.extend_from_slice(extra);
    let run = Case::new(args).run();
    run.exits(0);
    serde_json::from_str(&run.stdout).expect("matrix json")
}

/// The cell of `driver` for `arch` and `program`.
fn cell<'v>(view: &'v Value, driver: &str, arch: &str, program: &str) -> &'v Value {
    let row = view["rows"].as_array().unwrap().iter().find(|r| r["driver"] == driver).expect("a row for the driver");
    row["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g.as_array().unwrap())
        .find(|c| c["arch"] == arch && c["column"] == program)
        .expect("a cell")
}

/// A cell's access: `rw`, `ro`, `none`, `n/a` (`yes`, `no` in the pool column).
fn access(view: &Value, driver: &str, arch: &str, program: &str) -> String {
    cell(view, driver, arch, program)["access"].as_str().unwrap().to_string()
}

fn drivers(view: &Value) -> Vec<String> {
    view["rows"].as_array().unwrap().iter().map(|r| r["driver"].as_str().unwrap().to_string()).collect()
}

#[test]
fn rhel_7_3_cells_match_the_rhel_facts() {
    let view = matrix_json("rhel-7.3", &[]);
    // rhel7.md 1 and 3: https ro-whitelisted, whitelists ignored by qemu-img, removed from
    // add_drive; modern.md 6: the curl driver never writes, so qemu-img only reads it too.
    assert_eq!(access(&view, "https", "x86_64", "emulator"), "ro");
    assert_eq!(access(&view, "https", "x86_64", "tools"), "ro");
    assert_eq!(cell(&view, "https", "x86_64", "tools")["layer"], "capability");
    assert_eq!(access(&view, "https", "x86_64", "libguestfs"), "none");
    assert_eq!(cell(&view, "https", "x86_64", "libguestfs")["message"], "unknown protocol 'https'");
    assert_eq!(access(&view, "vpc", "x86_64", "emulator"), "ro");
    assert_eq!(
        cell(&view, "vpc", "x86_64", "emulator")["message"],
        "Driver 'vpc' can only be used for read-only devices"
    );
    assert_eq!(access(&view, "qcow", "x86_64", "emulator"), "none");
    assert_eq!(cell(&view, "qcow", "x86_64", "emulator")["message"], "Driver 'qcow' is not whitelisted");
    assert_eq!(access(&view, "qcow", "x86_64", "tools"), "rw");
    // The left-in protocols: file, nbd, rbd.
    for driver in ["file", "nbd", "rbd"] {
        assert_eq!(access(&view, driver, "x86_64", "libguestfs"), "rw", "{driver}");
    }
    // host_cdrom is left out of the whitelists on purpose (bz#760885).
    assert_eq!(access(&view, "host_cdrom", "x86_64", "emulator"), "none");
    // Formats have no add_drive protocol.
    assert_eq!(access(&view, "qcow2", "x86_64", "libguestfs"), "n/a");
    // Tools-only arches: no emulator; rbd compiled out.
    for arch in ["ppc64le", "aarch64"] {
        assert_eq!(access(&view, "raw", arch, "emulator"), "none");
        assert_eq!(access(&view, "raw", arch, "tools"), "rw");
        assert_eq!(access(&view, "ssh", arch, "tools"), "rw");
        assert_eq!(access(&view, "rbd", arch, "tools"), "none");
        assert_eq!(cell(&view, "rbd", arch, "tools")["layer"], "build");
    }
    assert_eq!(view["tools_only"], serde_json::json!(["ppc64le", "aarch64"]));
    assert_eq!(view["compiled_out_everywhere"], serde_json::json!([]));
}

#[test]
fn rows_are_the_drivers_of_the_qemu_version() {
    // qemu.md 1d: the qemu-img list of 1.5.3; RHEL deletes cow (kvm-block-delete-cow-block-driver.patch).
    let upstream_1_5_3 = "blkdebug blkverify bochs cloop cow dmg file ftp ftps gluster host_cdrom host_device host_floppy http https iscsi nbd parallels qcow qcow2 qed raw rbd sheepdog ssh tftp vdi vhdx vmdk vpc vvfat";
    let expected: Vec<&str> = upstream_1_5_3.split(' ').filter(|d| *d != "cow").collect();
    let mut rows = drivers(&matrix_json("rhel-7.3", &[]));
    rows.sort();
    assert_eq!(rows, expected);
}

#[test]
fn drivers_compiled_out_everywhere_are_summarised_unless_asked_for() {
    // rhel-7.2-rhev: --disable-libnfs and --disable-archipelago on every arch (qemu.md 2d).
    let view = matrix_json("rhel-7.2-rhev", &[]);
    assert_eq!(view["compiled_out_everywhere"], serde_json::json!(["nfs", "archipelago"]));
    assert!(!drivers(&view).iter().any(|d| d == "nfs" || d == "archipelago"));
    Case::new(["matrix", "rhel-7.2-rhev"])
        .run()
        .exits(0)
        .stdout_has("Compiled out on every arch (--all-drivers gives them rows): nfs archipelago");

    let all = matrix_json("rhel-7.2-rhev", &["--all-drivers"]);
    assert_eq!(drivers(&all).len(), drivers(&view).len() + 2);
    for arch in ["x86_64", "ppc64", "ppc64le", "aarch64"] {
        for program in ["emulator", "tools"] {
            assert_eq!(access(&all, "nfs", arch, program), "none");
        }
    }
    // gluster and rbd only on x86_64 in rhev's build script.
    assert_eq!(access(&view, "rbd", "x86_64", "emulator"), "rw");
    assert_eq!(access(&view, "rbd", "ppc64", "emulator"), "none");
    assert_eq!(access(&view, "gluster", "aarch64", "tools"), "none");
    // Full builds everywhere: the emulator exists on ppc64.
    assert_eq!(access(&view, "qcow2", "ppc64", "emulator"), "rw");
}

#[test]
fn debian_13_everything_compiled_in_is_rw_unless_the_driver_only_reads() {
    let view = matrix_json("debian-13", &[]);
    assert_eq!(
        view["compiled_out_everywhere"],
        serde_json::json!([
            "io_uring",
            "nvme-io_uring",
            "virtio-blk-vfio-pci",
            "virtio-blk-vhost-user",
            "virtio-blk-vhost-vdpa"
        ])
    );
    // modern.md 6: the curl family, bochs, cloop and dmg refuse read-write opens.
    let read_only = ["bochs", "cloop", "dmg", "http", "https", "ftp", "ftps"];
    for driver in drivers(&view) {
        let best = if read_only.contains(&driver.as_str()) { "ro" } else { "rw" };
        assert_eq!(access(&view, &driver, "x86_64", "emulator"), best, "{driver}");
        // qemu.md 1c: blkreplay is in the system emulator only, from 5.2.
        let tools = if driver == "blkreplay" { "none" } else { best };
        assert_eq!(access(&view, &driver, "x86_64", "tools"), tools, "{driver}");
    }
}

#[test]
fn text_columns_are_aligned() {
    let run = Case::new(["matrix", "rhel-7.2-rhev"]).run();
    run.exits(0);
    let table: Vec<&str> = run.stdout.lines().skip(3).take_while(|l| !l.is_empty()).collect();
    assert_eq!(table.len(), 2 + drivers(&matrix_json("rhel-7.2-rhev", &[])).len(), "two header lines and the rows");
    let bars = |line: &str| line.match_indices('|').map(|(i, _)| i).collect::<Vec<_>>();
    let expected = bars(table[0]);
    assert_eq!(expected.len(), 4, "one column group per arch");
    for line in &table {
        assert_eq!(bars(line), expected, "misaligned: {line:?}");
        assert_eq!(line.trim_end(), *line, "trailing blanks: {line:?}");
    }
}

#[test]
fn markdown_rows_have_one_cell_per_column() {
    let run = Case::new(["matrix", "rhel-7.3", "--format", "markdown"]).run();
    run.exits(0);
    let rows: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(rows.len(), 2 + 30);
    // Five programs per arch: emulator, tools, libvirt, libguestfs and libvirt's pool backend.
    for row in &rows {
        assert_eq!(row.matches('|').count(), 1 + 1 + 3 * 5, "{row}");
    }
    // libvirt 2.0.0 (profiles/rhel-7.3.toml) passes https to the emulator, which reads it only;
    // no pool backend stores it; the tools-only arches have no emulator to pass it to.
    assert!(rows.contains(&"| `https` | ro | ro | ro | - |  | - | ro | - | - |  | - | ro | - | - |  |"));
    // "libgfapi is built only on x86_64 on rhel" (libvirt 1.2.17 spec, profiles/rhel-7.2.toml).
    assert!(rows.contains(&"| `gluster` | rw | rw | rw | - | yes | - | rw | - | - | no | - | rw | - | - | no |"));
}

/// The html page parsed as XML: every element closed, only XML entities, and the cells
/// carry the classes the legend explains.
#[test]
fn html_is_well_formed_and_its_cells_match_the_json() {
    for profile in common::shipped_profiles() {
        let profile = profile.as_str();
        let run = Case::new(["matrix", profile, "--format", "html"]).run();
        run.exits(0);
        let view = matrix_json(profile, &[]);
        let cells = parse_cells(&run.stdout);
        let rows = drivers(&view);
        let per_row = view["arches"].as_array().unwrap().len() * view["columns"].as_array().unwrap().len();
        assert_eq!(cells.len(), rows.len() * per_row, "{profile}: one td per driver, arch and program");
        let expected: Vec<(String, String)> = view["rows"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["groups"].as_array().unwrap().iter().flat_map(|g| g.as_array().unwrap()))
            .map(|c| {
                // The cell shows its access, `-` for none, and nothing where no pool stores the driver.
                let access = c["access"].as_str().unwrap();
                let text = match (c["column"].as_str().unwrap(), access) {
                    (_, "none") => "-",
                    ("libvirt-pool", "n/a") => "",
                    (_, other) => other,
                };
                (if access == "n/a" { "na" } else { access }.to_string(), text.to_string())
            })
            .collect();
        let got: Vec<(String, String)> = cells.iter().map(|c| (c.class.clone(), c.text.clone())).collect();
        assert_eq!(got, expected, "{profile}: classes and texts in row order");
        if profile == "rhel-7.3" || profile == "rhel-7.2-rhev" {
            let https = rows.iter().position(|d| d == "https").unwrap() * per_row;
            assert!(cells[https].title.contains("a read-write open fails with: Driver 'https' can only be used"));
        }
    }
}

struct HtmlCell {
    class: String,
    text: String,
    title: String,
}

fn parse_cells(html: &str) -> Vec<HtmlCell> {
    let mut reader = quick_xml::Reader::from_str(html);
    reader.config_mut().check_end_names = true;
    let mut cells = Vec::new();
    let mut in_td = false;
    let mut depth = 0usize;
    let mut saw_root = false;
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not well-formed at {}: {e}", reader.buffer_position())) {
            Event::Start(e) => {
                depth += 1;
                saw_root = true;
                if e.name().as_ref() == "td" {
                    let attr = |name: &str| {
                        e.try_get_attribute(name)
                            .unwrap()
                            .map(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap().into_owned())
                            .unwrap_or_default()
                    };
                    let class = attr("class").split(' ').next().unwrap_or_default().to_string();
                    cells.push(HtmlCell { class, text: String::new(), title: attr("title") });
                    in_td = true;
                }
            }
            Event::End(e) => {
                depth -= 1;
                if e.name().as_ref() == "td" {
                    in_td = false;
                }
            }
            Event::Text(t) if in_td => cells.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.xml10_content();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .unwrap_or_else(|| panic!("&{name}; is not an XML entity"))
                            .to_string()
                    }
                };
                if in_td {
                    cells.last_mut().unwrap().text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(saw_root && depth == 0, "every element is closed");
    cells
}

fn snapshot(name: &str, args: &[&str]) {
    let run = Case::new(args).run();
    run.exits(0);
    insta::assert_snapshot!(name, run.stdout);
}

#[test]
fn snapshots() {
    for profile in ["rhel-7.3", "rhel-7.2-rhev"] {
        for format in ["text", "markdown", "json", "html"] {
            let name = format!("matrix_{}_{format}", profile.replace(['-', '.'], "_"));
            snapshot(&name, &["matrix", profile, "--format", format]);
        }
    }
    snapshot("matrix_debian_13_all_drivers_text", &["matrix", "debian-13", "--all-drivers"]);
}

/// The formats people read, for every shipped profile (json and html are checked above for all).
#[test]
fn snapshots_of_every_shipped_profile() {
    for profile in common::shipped_profiles() {
        for format in ["text", "markdown"] {
            snapshot(&format!("matrix_every_{profile}_{format}"), &["matrix", &profile, "--format", format]);
        }
    }
}

#[test]
#[should_panic(expected = "not well-formed")]
fn the_html_check_rejects_an_unclosed_element() {
    parse_cells("<html><body><table><tr><td class=\"rw\">rw</td></table></body></html>");
}

#[test]
#[should_panic(expected = "is not an XML entity")]
fn the_html_check_rejects_html_only_entities() {
    parse_cells("<html><body><p>a&nbsp;b</p></body></html>");
}

/// libvirt gets columns only when a profile describes it; then it refuses what it disables,
/// and says which storage pool backends are built.
#[test]
fn a_described_libvirt_gets_its_own_columns() {
    let toml = "[profile]\nproduct = \"t\"\nrelease = \"1\"\narches = [\"x86_64\"]\n[qemu]\npackage = \"qemu\"\nversion = \"10.0.2\"\n[libvirt]\ndisabled-protocols = [\"gluster\"]\nstorage-backends = { rbd = true, gluster = false }\n";
    let run = Case::new(["matrix", "virt", "--format", "json"]).profile("virt", toml).run();
    run.exits(0);
    let view: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let columns: Vec<&str> = view["columns"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(columns, ["emulator", "tools", "libvirt", "libguestfs", "libvirt-pool"]);
    let row = |driver: &str| {
        view["rows"].as_array().unwrap().iter().find(|r| r["driver"] == driver).unwrap()["groups"][0].clone()
    };
    let gluster = row("gluster");
    assert_eq!((gluster[0]["access"].as_str(), gluster[2]["access"].as_str()), (Some("rw"), Some("none")));
    assert_eq!(gluster[2]["layer"], "libvirt");
    assert_eq!(row("rbd")[2]["access"], "rw", "what libvirt does not disable, the emulator decides");
    assert_eq!((row("rbd")[4]["access"].as_str(), row("gluster")[4]["access"].as_str()), (Some("yes"), Some("no")));
    assert_eq!(row("qcow2")[4]["access"], "n/a", "no storage pool backend stores qcow2 as such");
    let text = Case::new(["matrix", "virt"]).profile("virt", toml).run();
    text.exits(0).stdout_has("emu  tools  virt  guestfs  pool").stdout_has("virt = libvirt");
    // Without a [libvirt] section a profile has no such column.
    Case::new(["matrix", "debian-13"]).run().stdout_has("| emu  tools  guestfs\n");
    // Every shipped RHEL profile describes libvirt.
    for name in common::shipped_profiles().into_iter().filter(|n| n.starts_with("rhel-")) {
        let view = matrix_json(&name, &[]);
        let columns: Vec<&str> =
            view["columns"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert!(columns.contains(&"libvirt") && columns.contains(&"libvirt-pool"), "{name}: {columns:?}");
    }
}
