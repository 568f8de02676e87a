//! A PACC document and a `_ua-auto-config` TXT record, as a hostile provider or network may
//! send them: the first line is the record, the rest the document.
#![no_main]
use libfuzzer_sys::fuzz_target;
use outpost::detect::{pacc, parse_address};

fuzz_target!(|data: &[u8]| {
    let (record, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[..0]),
    };
    let record = String::from_utf8_lossy(record).into_owned();
    let _ = pacc::vouched_for(body, &[record]);
    if let (Ok(text), Ok(target)) = (std::str::from_utf8(body), parse_address("ann@example.org"))
    {
        if let Ok(found) = pacc::candidates(text, &target) {
            let _ = format!("{found:?}");
        }
    }
});
