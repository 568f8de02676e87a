//! Finding SMTP settings from nothing but an e-mail address.

pub mod config_xml;
pub mod providers;
