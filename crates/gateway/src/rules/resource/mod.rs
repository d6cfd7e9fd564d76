//! The Resource Server's rules (IDY.03 MC_RES_01..10): the request and error wire (Annex A)
//! and the share and match answers.

pub mod claims;
pub mod wire;
