//! Sign-in through the browser for the window, and the sign-in providers' settings.

use super::ctx::Ctx;
use super::protocol::{Event, SignInState, Ticket};
use crate::detect::config_xml::OAuth2Issuer;
use crate::explain::Explain;
use crate::oauth::{Issuers, OauthError};
use crate::secret::Secret;
use crate::usecases::signin::{self, ProviderChange};

fn load(ctx: &Ctx) -> Result<Issuers, OauthError> {
    Issuers::load(&ctx.paths).map_err(OauthError::from)
}

/// Reads the providers and their settings again and tells the window.
pub(super) fn emit_issuers(ctx: &Ctx) {
    ctx.emit(Event::Issuers(load(ctx).map_err(|e| e.explain())));
}

/// Saves a client id and secret for `provider` in the user's settings file.
pub(super) fn set_client(ctx: &Ctx, provider: &str, client_id: &str, client_secret: &str) {
    let change = ProviderChange {
        client_id: Some(client_id.to_string()),
        client_secret: Some(client_secret.to_string()),
        ..ProviderChange::default()
    };
    let result = signin::set_provider(&ctx.paths, provider, change);
    ctx.emit(Event::ClientSaved(
        result
            .map(|_| tr!("client-saved", provider = provider))
            .map_err(|e| e.explain()),
    ));
    emit_issuers(ctx);
}

/// Signs `email` in with the provider of `host`: opens the browser, waits, exchanges the code.
pub(super) async fn sign_in(
    ctx: Ctx,
    ticket: Ticket,
    email: String,
    host: String,
    discovered: Option<OAuth2Issuer>,
) {
    let done = |result: Result<Secret, OauthError>| Event::SignIn {
        ticket,
        state: SignInState::Done(result.map_err(|e| e.explain())),
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
    let signin =
        match signin::start(&ctx.paths, &net.http, &email, &host, discovered.as_ref()).await {
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
    ctx.emit(done(signin::finish(signin, &net.http).await));
}
