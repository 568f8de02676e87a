//! Addresses as people type them and links carry them: account addresses, message
//! recipients, address lists, detection input and mailto: links.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = outpost::account::parse_email(s);
    if let Ok(a) = outpost::address::EmailAddress::parse(s) {
        assert_eq!(
            outpost::address::EmailAddress::parse(&a.ascii()).map(|b| b.domain().to_string()),
            Ok(a.domain().to_string())
        );
    }
    let _ = outpost::account::parse_host(s);
    let _ = outpost::detect::parse_address(s);
    for part in outpost::message::split_addresses(s) {
        if let Ok(mailbox) = outpost::message::parse_mailbox("To", &part) {
            // What is accepted never carries a line break into a header.
            assert!(!mailbox.to_string().contains(['\r', '\n']));
        }
    }
    if let Ok(m) = outpost::mailto::parse(s) {
        assert!(!m.subject.contains(['\r', '\n']));
    }
});
