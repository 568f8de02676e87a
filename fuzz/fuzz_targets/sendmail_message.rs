//! A message fed to `outpost sendmail`, with and without -t and -i: whatever comes in, the
//! recipients are only those the headers (with -t) or the arguments name.
#![no_main]
use libfuzzer_sys::fuzz_target;
use outpost::outbox::sendmail::{SendmailArgs, prepare, read_message};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, raw)) = data.split_first() else {
        return;
    };
    let args = SendmailArgs {
        extract: flags & 1 == 1,
        ignore_dots: flags & 2 == 2,
        from: None,
        full_name: None,
        recipients: if flags & 4 == 4 {
            vec!["bob@example.net".into()]
        } else {
            vec![]
        },
    };
    let message = read_message(raw, args.ignore_dots);
    let _ = outpost::outbox::sendmail::header_from(&message);
    if let Ok(prepared) = prepare(&message, &args, ("ann@example.org", Some("Ann"))) {
        if !args.extract {
            assert!(prepared.recipients.iter().all(|r| r == "bob@example.net"));
        }
    }
});
