//! `import`: a profile from an existing spec file or build script.
