//! `verify`: a built qemu-img's format list against the policy.
