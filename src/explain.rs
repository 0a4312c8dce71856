//! `explain`: one driver through every layer, with provenance.
