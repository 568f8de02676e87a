//! "Find my settings": detection for an address (every source racing under one deadline),
//! with servers that a sign-in provider covers set to sign in through the browser.

use crate::detect::{self, Detection, Failure, Options, Progress};
use crate::net::Net;
use crate::oauth::issuers::prefer_sign_in;
use crate::paths::Paths;

/// Finds the settings for `email`, telling `progress` as each source starts and ends.
pub async fn detect(
    net: &Net,
    paths: &Paths,
    email: &str,
    options: &Options,
    progress: impl FnMut(Progress),
) -> Result<Detection, Failure> {
    let mut found = detect::run(net, email, options, progress).await?;
    // The sign-in providers' settings are files: read them off the async threads.
    let paths = paths.clone();
    found = tokio::task::spawn_blocking(move || {
        prefer_sign_in(&paths, &mut found);
        found
    })
    .await
    .expect("reading the sign-in providers does not panic");
    Ok(found)
}
