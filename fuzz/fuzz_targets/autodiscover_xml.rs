//! Microsoft Autodiscover XML, as a hostile server may send it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(xml) = std::str::from_utf8(data) {
        let _ = outpost::detect::autodiscover::parse(xml);
    }
});
