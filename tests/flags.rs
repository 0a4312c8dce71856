//! Every flag emitted for every arch of every shipped profile is one that the profile's qemu
//! version's configure accepts, read back from the generated text against the catalogue.

mod common;

use drvpolicy::catalogue::{Catalogue, Effect};
use drvpolicy::generate::configure;
use drvpolicy::options::Dialect;
use drvpolicy::resolve::resolve;
use drvpolicy::store::Store;

#[test]
fn every_emitted_flag_is_accepted_by_the_qemu_version() {
    let catalogue = Catalogue::get();
    let mut checked = 0;
    for name in common::shipped_profiles() {
        let mut store = Store::new(&[]).unwrap();
        let resolved = resolve(&mut store, &name).unwrap();
        assert!(resolved.warnings.is_empty(), "{name}: {:?}", resolved.warnings);
        let policy = resolved.policy;
        let version = &policy.qemu.version.value;
        let backports = policy.backport_names();
        for arch in &policy.arches {
            for argument in configure::arguments(&policy, arch, Dialect::Configure).unwrap() {
                // extra-args pass as written; the resolver refuses any that the model covers.
                if argument.setting == drvpolicy::options::Setting::Extra {
                    assert!(!argument.text.starts_with("--enable-") && !argument.text.starts_with("--disable-"));
                    continue;
                }
                let text = argument.text;
                let (flag, _) = text.split_once('=').unwrap_or((&text, ""));
                let whitelist = &catalogue.whitelist;
                if let Some(option) = [&whitelist.rw, &whitelist.ro, &whitelist.legacy, &whitelist.in_tools]
                    .into_iter()
                    .find(|o| o.flag == flag)
                {
                    assert!(
                        option.configure_accepts(version, &backports),
                        "{name}/{}: {text} on qemu {version}",
                        arch.arch
                    );
                } else {
                    let feature = flag
                        .strip_prefix("--enable-")
                        .or_else(|| flag.strip_prefix("--disable-"))
                        .expect("an enable/disable flag");
                    match catalogue.feature(feature) {
                        Some(f) => {
                            let range = f.configure.iter().find(|r| r.versions.matches(version));
                            assert!(
                                range.is_some_and(|r| r.effect == Effect::Real),
                                "{name}/{}: {text} is not a real option of qemu {version}",
                                arch.arch
                            );
                        }
                        // Options the catalogue does not know must be declared by the profile.
                        None => assert!(policy.custom_feature(feature).is_some(), "{name}: undeclared {text}"),
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} flags checked");
}
