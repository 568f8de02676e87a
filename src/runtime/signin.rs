//! Sign-in through the browser for the window, and the sign-in providers' settings.

use super::ctx::{Ctx, blocking};
use super::protocol::{Event, Ticket};
use crate::explain::{Explain, Explanation};
use crate::oauth::{self, Issuers, OauthConfig, OauthError, SignIn};
use crate::secret::Secret;

/// Where a sign-in is.
#[derive(Debug)]
pub enum SignInState {
    /// The browser was sent to the provider; `browser` says why it could not be opened.
    Waiting {
        /// The provider's name.
        provider: String,
        /// The address to open by hand.
        url: String,
        /// Why no browser opened, if none did.
        browser: Result<(), String>,
    },
    /// Signed in (what the keyring is to keep), or why not.
    Done(Result<Secret, Explanation>),
}

fn load(ctx: &Ctx) -> Result<Issuers, OauthError> {
    Issuers::load(&ctx.paths).map_err(OauthError::from)
}

/// Reads the providers and their settings again and tells the window.
pub(super) fn emit_issuers(ctx: &Ctx) {
    ctx.emit(Event::Issuers(load(ctx).map_err(|e| e.explain())));
}

/// Saves a client id and secret for `provider` in the user's settings file.
pub(super) fn set_client(ctx: &Ctx, provider: &str, client_id: &str, client_secret: &str) {
    let file = oauth::config::user_file(&ctx.paths);
    let result = (|| {
        let mut config = OauthConfig::read(&file)?;
        let entry = config.providers.entry(provider.to_string()).or_default();
        entry.client_id = oauth::config::value(client_id);
        entry.client_secret = oauth::config::value(client_secret);
        config.write(&file)
    })();
    ctx.emit(Event::ClientSaved(
        result
            .map(|()| format!("Saved the client id for {provider}."))
            .map_err(|e| OauthError::from(e).explain()),
    ));
    emit_issuers(ctx);
}

/// Signs `email` in with the provider of `host`: opens the browser, waits, exchanges the code.
pub(super) async fn sign_in(ctx: Ctx, ticket: Ticket, email: String, host: String) {
    let done = |result: Result<Secret, OauthError>| Event::SignIn {
        ticket,
        state: SignInState::Done(result.map_err(|e| e.explain())),
    };
    let ctx2 = ctx.clone();
    let issuers = match blocking(move || load(&ctx2)).await {
        Ok(i) => i,
        Err(e) => return ctx.emit(done(Err(e))),
    };
    let Some(issuer) = issuers.for_host(&host) else {
        return ctx.emit(done(Err(OauthError::NoIssuer { host })));
    };
    let net = match &ctx.net {
        Ok(net) => net.clone(),
        Err(e) => {
            return ctx.emit(Event::SignIn {
                ticket,
                state: SignInState::Done(Err(e.clone())),
            });
        }
    };
    let signin = match SignIn::start(issuer, &email).await {
        Ok(s) => s,
        Err(e) => return ctx.emit(done(Err(e))),
    };
    ctx.emit(Event::SignIn {
        ticket,
        state: SignInState::Waiting {
            provider: signin.provider().to_string(),
            url: signin.url().to_string(),
            browser: signin.open_browser().map_err(|e| e.to_string()),
        },
    });
    let result = signin
        .finish(&net.http, oauth::signin::WAIT_LIMIT)
        .await
        .map(|grant| grant.to_secret());
    ctx.emit(done(result));
}
