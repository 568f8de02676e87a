//! SMTP replies and enhanced status codes, as a hostile server may send them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(reply) = s.parse::<outpost::net::smtp::Reply>() {
        let _ = reply.to_string();
        let _ = outpost::net::smtp::Capabilities::from_ehlo(&reply);
    }
    let _ = outpost::net::smtp::EnhancedCode::parse_prefix(s);
    for line in s.lines() {
        let _ = outpost::net::smtp::parse_line(line);
    }
});
