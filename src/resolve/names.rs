//! Every name a profile writes, checked against the catalogue, with "did you mean".

use crate::catalogue::{Catalogue, DriverKind, Text};
use crate::code::Code;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::profile::{ListEdit, RawProfile, Settings, Spanned, SpannedList};

struct Checker<'a> {
    catalogue: &'a Catalogue,
    custom_features: Vec<&'a str>,
    diagnostics: &'a mut Vec<Diagnostic>,
}

/// `custom`: the custom features of the profile and its ancestors, which its settings may name.
pub(super) fn check(profile: &RawProfile, custom: &[String], catalogue: &Catalogue, diagnostics: &mut Vec<Diagnostic>) {
    let custom_features = custom.iter().map(String::as_str).collect();
    let mut checker = Checker { catalogue, custom_features, diagnostics };
    for feature in &profile.custom_features {
        if catalogue.feature(&feature.name.value).is_some() {
            checker.diagnostics.push(
                Diagnostic::error(
                    Code::CustomFeatureKnown,
                    format!("`{}` is a catalogue feature, not a custom one", feature.name.value),
                )
                .at(&feature.name.span, "already known to the catalogue")
                .with_help(format!(
                    "set it in [qemu.features] and drop it from custom-features: {}",
                    catalogue.features[feature.name.value.as_str()].summary
                )),
            );
        }
    }
    if let Some(arches) = &profile.arches {
        checker.arches(arches);
    }
    if let Some(backports) = &profile.backports {
        for b in added(backports) {
            checker.name(
                b,
                Code::UnknownBackport,
                "backport",
                catalogue.backports.contains_key(b.value.as_str()),
                catalogue.backports.keys().map(Text::as_str),
            );
        }
    }
    checker.settings(&profile.base);
    for o in &profile.overrides {
        for name in &o.selector.value.names {
            if !catalogue.is_known_arch(name) && catalogue.arch_group(name).is_none() {
                checker.diagnostics.push(
                    Diagnostic::error(
                        Code::UnknownArch,
                        format!("unknown architecture `{name}` in the selector `{}`", o.selector.value),
                    )
                    .at(&o.selector.span, "not an arch or arch group")
                    .with_help(
                        did_you_mean(name, catalogue.arch_names()).unwrap_or_else(|| {
                            format!("known: {}", catalogue.arch_names().collect::<Vec<_>>().join(", "))
                        }),
                    ),
                );
            }
        }
        checker.settings(&o.settings);
    }
}

fn added<T>(list: &SpannedList<T>) -> &[Spanned<T>] {
    match &list.edit {
        ListEdit::Replace(items) => items,
        ListEdit::Edit { add, .. } => add,
    }
}

impl Checker<'_> {
    fn name<'c>(
        &mut self,
        name: &Spanned<String>,
        code: Code,
        what: &str,
        known: bool,
        candidates: impl Iterator<Item = &'c str>,
    ) {
        if !known {
            self.diagnostics.push(
                Diagnostic::error(code, format!("unknown {what} `{}`", name.value))
                    .at(&name.span, format!("not a known {what}"))
                    .with_help_opt(did_you_mean(&name.value, candidates)),
            );
        }
    }

    fn arches(&mut self, list: &SpannedList<String>) {
        let catalogue = self.catalogue;
        for arch in added(list) {
            self.name(
                arch,
                Code::UnknownArch,
                "architecture",
                catalogue.is_known_arch(&arch.value),
                catalogue.arches.known.iter().map(Text::as_str),
            );
        }
    }

    fn drivers(&mut self, list: &SpannedList<String>) {
        for driver in added(list) {
            self.driver(driver);
        }
    }

    fn driver(&mut self, driver: &Spanned<String>) {
        let catalogue = self.catalogue;
        let registered = |(_, d): &(&Text, &crate::catalogue::Driver)| d.kind != DriverKind::Internal;
        let known = catalogue.driver(&driver.value).is_some();
        self.name(
            driver,
            Code::UnknownDriver,
            "qemu block driver",
            known,
            catalogue.drivers.iter().filter(registered).map(|(n, _)| n.as_str()),
        );
    }

    fn protocols(&mut self, list: &SpannedList<String>) {
        let catalogue = self.catalogue;
        for p in added(list) {
            let known = catalogue.protocol_driver(&p.value).is_some();
            self.name(
                p,
                Code::UnknownProtocol,
                "libguestfs protocol",
                known,
                catalogue.libguestfs.protocols.keys().map(Text::as_str),
            );
        }
    }

    fn settings(&mut self, settings: &Settings) {
        let catalogue = self.catalogue;
        for (name, _) in &settings.features {
            let known = catalogue.feature(&name.value).is_some() || self.custom_features.contains(&name.value.as_str());
            if !known {
                let candidates: Vec<&str> =
                    catalogue.features.keys().map(Text::as_str).chain(self.custom_features.iter().copied()).collect();
                self.diagnostics.push(
                    Diagnostic::error(Code::UnknownFeature, format!("unknown build option `{}`", name.value))
                        .at(&name.span, "neither a catalogue feature nor a custom feature of this profile")
                        .with_help(did_you_mean(&name.value, candidates).unwrap_or_else(|| {
                            "declare options the catalogue does not know in [qemu.custom-features]".to_string()
                        })),
                );
            }
        }
        for list in
            [&settings.rw_whitelist, &settings.ro_whitelist, &settings.acknowledge_compiled_out].into_iter().flatten()
        {
            self.drivers(list);
        }
        if let Some(list) = &settings.libguestfs_disabled {
            self.protocols(list);
        }
        if let Some(list) = &settings.libvirt_disabled {
            for p in added(list) {
                self.name(
                    p,
                    Code::UnknownProtocol,
                    "libvirt disk protocol",
                    catalogue.libvirt.protocols.contains_key(p.value.as_str()),
                    catalogue.libvirt.protocols.keys().map(Text::as_str),
                );
            }
        }
        for (backend, _) in &settings.libvirt_backends {
            self.name(
                backend,
                Code::UnknownBackend,
                "libvirt storage pool backend",
                catalogue.libvirt.storage_backends.contains_key(backend.value.as_str()),
                catalogue.libvirt.storage_backends.keys().map(Text::as_str),
            );
        }
        for sub in &settings.subpackages {
            let modules = catalogue.module_names();
            self.name(
                &sub.module,
                Code::UnknownModule,
                "qemu block module",
                modules.contains(&sub.module.value.as_str()),
                modules.iter().copied(),
            );
        }
        for consumer in &settings.consumers {
            if let Some(arches) = &consumer.arches {
                self.arches(arches);
            }
            if let Some(needs) = &consumer.needs {
                for need in added(needs) {
                    self.driver(&need.value.driver);
                }
            }
        }
    }
}
