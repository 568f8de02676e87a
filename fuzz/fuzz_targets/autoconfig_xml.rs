//! Thunderbird autoconfig XML, as a hostile autoconfig server may send it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(xml) = std::str::from_utf8(data) {
        if let Ok(config) = outpost::detect::config_xml::parse(xml) {
            let _ = format!("{config:?}");
        }
        let _ = outpost::detect::config_xml::expand_username(xml, "ann@example.org");
    }
});
