//! `matrix`: every driver x arch x program at a glance.
