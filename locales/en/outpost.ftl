# Outpost's messages in English: the fallback for every language.
# Grouped by the source file that shows them (## path). Values are named by what they hold:
# { $count } selects plural forms ([one], *[other]), { $host } a server name, and so on.

## src/ui/app.rs
view-accounts = Accounts
view-write = Write
view-outbox = Outbox
view-drafts = Drafts
title-drafts-count = Drafts ({ $count })
view-settings = Settings
status-nothing-to-send = Nothing to send.
status-taking-over = Outpost in the background (process { $pid }) finishes the message it is sending; then this window sends.
window-title = { $screen } — Outpost

## src/ui/chrome.rs
title-outbox-waiting = Outbox ({ $count } waiting)
status-offline = Offline: messages wait for the network
status-online = Online
status-waiting = { $count } waiting
status-last = last: { $what }
status-outbox = Outbox: { $status }
status-waits-for-you = { $count ->
    [one] 1 message waits for you (an account is paused)
   *[other] { $count } messages wait, some for you (an account is paused)
}
status-waits-for-network = { $count ->
    [one] 1 message waits for the network
   *[other] { $count } messages wait for the network
}
status-waits-until = { $count ->
    [one] 1 message waits: it is due { $when }
   *[other] { $count } messages wait: the next is due { $when }
}

## src/ui/widgets.rs
field-your-name = Your name
field-your-name-hint = Shown to recipients
password-hide = Hide
password-hide-said = Hide the password
password-show = Show
password-show-said = Show the password
keyring-system = In the system keyring
keyring-session = For this session only (forgotten at logout)
what-to-do = What to do: { $advice }
milliseconds = { $ms } ms
seconds-tenths = { $seconds } s
seconds = { $seconds } s
spinner-in-progress = { $what }: in progress
step-running = running…
step-passed = passed
step-failed = failed
details = Details
source-looking = looking…
source-found = found
source-failed = failed
source-nothing = nothing
source-skipped = skipped
source-not-needed = not needed
source-word-detail = { $word }: { $detail }
whereabouts-sending = { $what } is in the outbox and is being sent.
whereabouts-retry = { $what } is waiting to be tried again; the Outbox says why.
whereabouts-sent = { $what } was accepted by the server.
whereabouts-failed = { $what } could not be sent; the Outbox gives the server's reason.
whereabouts-cancelled = { $what } was cancelled.

## src/ui/accounts/certificate.rs
cert-self-signed = A self-signed certificate was made by the server itself, not by an authority this computer trusts: it encrypts the connection, but proves nothing about who is at the other end. Trust it only if this is your own server (or your organisation's) and the key's SHA-256 above is the one the server shows.
cert-servers = The certificate of { $server }
cert-changed = This account trusts the key { $pinned }. Trust the new one only if the server's certificate was replaced on purpose.
cert-trust = Trust this certificate for this account
cert-trust-hint = From now on this account accepts exactly this key, and nothing else; a changed key is refused before anything is sent.
cert-issued-to = Issued to
cert-itself = { $issuer } (itself)
cert-issued-by = Issued by
cert-names = Names
cert-valid = Valid
cert-valid-range = { $from } to { $to }
cert-key = Key SHA-256
cert-trusted = Trusted certificate
cert-pinned = This account accepts only this key from { $server }, instead of the usual authorities (SHA-256):
cert-trusted-although = Trusted although { $why }.
cert-stop-trusting = Stop trusting it

## src/ui/accounts/form.rs
form-title-saved = Account settings
form-title-new = Add an account
field-proxy = Proxy (SOCKS5)
field-proxy-hint = None; e.g. socks5h://127.0.0.1:9050 for Tor
test-failed-last = The last connection check failed.
test-never = These settings have not been checked.
save-anyway-text = You can save the account anyway: messages sent from it wait in the outbox and are tried again until the settings work, or fail with the server's reason.
save-anyway = Save anyway
test-first = Check the connection first
field-email = E-mail address
find-settings = Find settings automatically
field-server = Server
field-port = Port
field-security = Security
field-username = User name
field-username-hint = Usually your address
field-login = Login
field-signin = Sign-in
field-password = Password
password-kept-by-goa = Kept by GNOME Online Accounts, asked for at each use
password-keep-stored = Leave blank to keep the stored one
field-keep = Keep it
plaintext-consent = Send my password unencrypted: this server is on a network I trust
cancel-test = Cancel check
test-connection = Check connection
save-changes = Save changes
save-account = Save account
remove-account = Remove account…
email-hint = you@example.org

## src/ui/accounts/identities.rs
remove = Remove
send-as = Send as
send-as-text = Other addresses this account may send from (aliases your provider allows), each with the name recipients see; a Reply-To and a signature for each.
own-address = This account's address
field-address = Address
field-name = Name
remove-address = Remove { $address }
add-send-as = Add an address to send as
this-address = this address
field-reply-to = Reply-To
field-reply-to-hint = Replies go to the address itself
field-signature = Signature
field-signature-hint = Put under your messages, after a "-- " line
identity-refused = refused by the server
server-said = The server said: { $words }
identity-refused-advice = What to do: allow { $email } as an address of this account at your provider (Gmail: Settings → Accounts → Send mail as; Microsoft 365: the mailbox's "Send as" permission), then clear this note and save; or remove the address.
identity-clear-note = Allowed now: clear this note

## src/ui/accounts/list.rs
add-account = Add account
no-accounts-yet = No accounts yet.
account-default = { $email } (default)
make-default = Make default

## src/ui/accounts/live.rs
all-passed = All steps passed: this account can send mail.
finding-settings = Finding settings
connection-test = Connection check

## src/ui/accounts/mod.rs
spinner-accounts = Loading accounts
divider-account-list = Resize the account list
scroll-account = Scroll the account
account-saved = Saved { $email }.
account-removed = Removed { $email }.
account-removed-secret-left = Removed { $email }, but its password may remain in the keyring: { $problem }
welcome = Welcome to Outpost
welcome-text = Choose an account on the left, or add one to start sending.
accounts-heading = Your accounts
accounts-pick = Choose an account on the left to see or change its settings, or add another.
usual-settings-below = The usual settings are filled in below; check them with your provider.
keep-session-only = Keep the password for this session only

## src/ui/accounts/provider.rs
open-code-page = Open the page for the authorization code
open-email-password-page = Open the page for the e-mail password
open-app-password-page = Open the app password page
provider-help = { $provider }'s help:
provider-help-first = Setting up a mail app
provider-help-more = more ({ $number })

## src/ui/accounts/remove.rs
remove-title = Remove { $email }?
remove-what = Its settings and its password in the keyring will be deleted.
remove-waiting =
    { $count ->
        [one] One message from this account is still waiting to be sent.
       *[other] { $count } messages from this account are still waiting to be sent.
    } Cancel them, or keep them until you add this address again.
remove-and-cancel =
    { $count ->
        [one] Remove and cancel the message
       *[other] Remove and cancel { $count } messages
    }
remove-keep-messages = Remove, keep the messages
keep-it = Keep it

## src/ui/accounts/setup.rs
search-cancelled = The search was cancelled. Continue to search again, or set up the account manually.
imported-settings = These are the settings { $program } sends with (from { $place }).
imported-settings-advice = Enter the password (Outpost never reads it from other programs), then check the connection.
test-message-subject = Outpost test message
test-message-body =
    This message was sent by Outpost to check that { $email } can send mail through { $host }:{ $port }.

    If you can read it, everything works.
test-cancelled = The check was cancelled.
test-cancelled-advice = Press Check connection to start it again.

## src/ui/accounts/signin.rs
spinner-browser = Waiting for the browser
signin-cancelled = The sign-in was cancelled.
signin-cancelled-advice = Sign in again when you are ready, or use a password instead.
use-password-instead = Use a password instead
open-settings = Open Settings
signin-waiting = Waiting for { $provider } in your browser… Finish signing in there.
signin-no-browser = No browser could be opened ({ $problem }). Open this address yourself:
signin-open-yourself = If no browser opened, open this address:
copy-address = Copy address
cancel-signin = Cancel sign-in
signed-in-with = ✔ Signed in with { $provider }
sign-in-again = Sign in again
sign-in-with = Sign in with { $provider }
signin-note = { $provider } asks for your password on its own page in your browser; Outpost never sees it and keeps only a revocable sign-in in the keyring.

## src/ui/accounts/trust.rs
usual-default = usual default ({ $what })
default-your-address = your address
default-password = password
review-from = from { $origin }
found-by = Found by: { $origin }
guessed = Guessed: no published settings were found, but a mail server answered at this usual address and port. The check on the next step shows whether it takes your login.
mail-goes-through = Mail goes through { $domain }
warning = Warning: { $warning }
not-confirmed = Outpost could not confirm these settings through a trusted source. Check them with your provider before sending your password.
trust-settings = I trust these settings
other-settings = Other settings found:
use-other = Use { $settings } from { $source }

## src/ui/accounts/wizard.rs
spinner-test-message = Queueing the test message
settings-line = port { $port } ({ $security })
wizard-step-identity = Step 1 of 4 · Who you are
wizard-step-finding = Step 2 of 4 · Finding your server
wizard-step-review = Step 3 of 4 · Check the settings
wizard-step-verify = Step 4 of 4 · Checking the connection
wizard-step-verified = Step 4 of 4 · The connection works
wizard-step-verify-failed = Step 4 of 4 · The connection did not work
wizard-step-done = Done
app-password-note = Gmail, Yahoo, iCloud and others take an app password rather than your account's own: the next step says how to make one.
set-up-manually = Set up manually
found-here = Found on this computer
use-found = Use { $who }
found-line = from { $program } · { $host }:{ $port }
found-known = · already in Outpost
field-password-or-app = Password or app password
advanced = Advanced
signin-instead-text = Instead of a password, Outpost can sign in with { $provider } through the browser, once a client id registered with { $provider } is set in Settings.
signin-instead = Sign in with { $provider } instead
edit-manually = Edit manually
back = Back
continue = Continue
cancel = Cancel
keep-signin = Keep the sign-in
keep-password = Keep the password
try-instead = Try { $settings } instead
try-host-instead = Try { $host } { $settings } instead
test-again = Check again
copy-transcript = Copy transcript
copy-transcript-hint = The conversation with the server, with passwords and tokens hidden: paste it into a message to your provider's support.
transcript-copied = Copied to the clipboard.
ready-to-send = { $email } is ready to send.
send-test-message = Send a test message to myself
test-message-number = Test message #{ $id }
finish = Finish
searching = Searching · at most { $seconds } s more

## src/ui/write/compose.rs
scroll-message = Scroll the message
spinner-file-size = Reading the file's size
new-message = New message
choose-account = Choose the account to send from.
add-recipient = Add at least one recipient.
correct-address-in = Correct the address in { $field }.
remove-unreadable = Remove { $file }: it cannot be read.
too-big = The message would be about { $size }, more than the { $limit } the server accepts. Remove attachments, or share large files by link.
draft-set-aside = Your earlier draft is set aside.
switch-to-draft = Switch to the earlier draft
field-message = Message
signature-added = Added under the text when sent:
field-from = From
choose-an-account = Choose an account
from-refused = The server refused to send as { $email } ({ $words }). Allow it at your provider (see the account's Send as), or choose another address.
field-subject = Subject
recipients-hint = name@example.org, Name <other@example.org>
suggestions = Suggestions: the arrow keys choose, Enter or Tab takes one, Esc closes them
send = Send
send-later = Send later…
discard = Discard
send-at = Send at
calendar-open = Calendar
calendar-previous = Previous month
calendar-next = Next month
calendar-month = { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }
calendar-weekdays = Mo Tu We Th Fr Sa Su
calendar-day = { $day } { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }
calendar-time = Time
calendar-hour = Hour
calendar-minute = Minute
send-at-local = { $when } ({ $countdown }), local time
time-passed = That time has passed.
schedule = Schedule
close = Close
discard-title = Discard this message?
discard-text = What you wrote will be lost.
discard-message = Discard message
keep-writing = Keep writing
keep-draft = Keep it
draft-back = Your draft from { $when } is back.
draft-file-gone = The attached file { $file } is no longer there; remove it or attach it again.
draft-file-changed = The attached file { $file } was changed since; the new version is sent.
drafts-title = Drafts
drafts-none = No drafts. What you write is kept here as you type, until it is sent or discarded.
drafts-intro = Messages you started and did not send. Outpost keeps them as you type, also after a crash.
drafts-to = to { $to }
drafts-saved = saved { $when }
drafts-files-changed = an attached file changed since
drafts-open = Open
drafts-open-in-write = Open in Write
drafts-discard = Discard…
drafts-discard-ask = Discard this draft? What you wrote will be lost.
attachments = Attachments
attach-files = Attach files…
or-drop-files = or drop files on the window
drop-or-type = { $problem } Drop files on the window, or type a path:
cannot-be-read = cannot be read: { $error }
remove-file = Remove { $file }
field-file-path = File path
file-path-hint = /home/you/report.pdf
attach = Attach
reading-sizes = Reading the attachments' sizes…
limit-up-to = the server accepts up to { $size }
limit-none = the server names no limit
limit-asking = asking the server for its limit…
limit-unknown = the server's limit is unknown ({ $why })
limit-choose-account = choose an account to learn the server's limit
total-size = Total size about { $size } · { $server }
header-to = To
header-cc = Cc
header-bcc = Bcc

## src/ui/write/file_dialog.rs
attach-files-title = Attach files
no-file-chooser = No file chooser is available here (neither the desktop portal nor zenity is installed).
file-chooser-slow = Waiting for the file chooser. If none opens, drop files on the window or type a path below.

## src/ui/write/mod.rs
link-ignored = The link also asked for { $headers }; Outpost ignored it.
link-ignored-advice = Links never attach files or set other headers; attach files yourself if you meant to.
add-account-first = Add an account first: Outpost needs one to send from.
message-number-size = Message #{ $id } ({ $size })

## src/ui/outbox/details.rs
scroll-details = Scroll the message's details
spinner-message = Loading the message
divider-details = Resize the message's details
delete-title = Delete message #{ $id }?
delete-text = It and its history are removed from the outbox; if it was not sent yet, it never will be.
delete-message = Delete message
no-subject = (no subject)
maybe-sent = A connection broke after this message was handed over: it may have arrived already. If it is sent again, it keeps its identity, so most mail programs show it once.
history = History
recipients = Recipients
from-account = From
from-alias = { $from } (sent as, by the account { $account })
technical-details = Technical details
not-sent-yet = — (not sent yet)
server-queue-id = Server's queue id
send-now = Send now
undo = Undo
undo-hint = Back into Write, to change it or send it at another time
retry-now = Retry now
cancel-sending = Cancel sending
edit-resend = Edit & resend
edit-resend-text-gone = Its text is no longer kept: sent messages keep it as long as Settings → Sending says.
delete = Delete…

## src/ui/outbox/filter.rs
filter-all = All
filter-waiting = Waiting
filter-sent = Sent
filter-failed = Failed
filter-cancelled = Cancelled

## src/ui/outbox/mod.rs
spinner-outbox = Loading the outbox
will-be-sent = { $what } will be sent { $when }.
undo-sending = Undo sending message #{ $id }

## src/ui/outbox/row.rs
state-scheduled = scheduled

## src/ui/outbox/table.rs
scroll-messages = Scroll the messages
outbox-table = Messages in the outbox
col-status = Status
col-account = Account
col-attempts = Attempts
col-next-try = Next try
col-last-reply = Last reply
outbox-empty = The outbox is empty. Messages you send wait here until the server accepts them, and stay listed after, with the server's reply.
write-message = Write a message
filter-empty =
    { $filter ->
        [waiting] No message is waiting.
        [sent] No message is sent.
        [failed] No message has failed.
       *[cancelled] No message is cancelled.
    } Choose All to see every message.
filter-count = { $filter } ({ $count })
paused = Sending from { $who } is paused: { $reason }
unreachable-not-found = { $who } has not reached its server for a day: the server's name is not found. Its settings may have changed.
unreachable-refused = { $who } has not reached its server for a day: the server refuses the connection. Its settings may have changed.
find-settings-again = Find its settings again
find-settings-again-for = Find the settings of { $who } again
open-who = Open { $who }

## src/ui/settings/mod.rs
scroll-settings = Scroll the settings

## src/ui/settings/prefs.rs
pref-online-ispdb = Ask Thunderbird's online database of providers
pref-share-address = Send my full address to my provider's setup server (some need it)
pref-probe = Try likely servers directly when nothing else answers
pref-give-up = Give up after
pref-sending = Sending
pref-undo = Time to undo sending
pref-keep-sending = Keep sending after the window is closed
pref-keep-sending-hint = Messages that wait (for a retry, a later time or the network) still leave when the window is closed, and after the next login.
pref-keep-text = Keep the text of sent messages for
pref-keep-text-days = { " " }days
pref-keep-text-forever = Forever
pref-space-reading = Reading the outbox's size…
pref-space = { $count ->
    [one] The outbox holds 1 message; the texts kept take { $text }, the whole file { $file }.
   *[other] The outbox holds { $count } messages; the texts kept take { $text }, the whole file { $file }.
}
pref-space-pruned = { $count ->
    [one] Let go of the text of 1 sent message ({ $size }).
   *[other] Let go of the text of { $count } sent messages ({ $size }).
}
pref-space-free = Free space now
pref-space-free-hint = Lets go of the texts older than the time above and gives the space back. Their recipients and history stay; waiting and failed messages keep everything.
pref-notifications = Notifications
pref-notify-failures = Notify me when a message cannot be delivered
pref-appearance = Appearance
pref-theme = Theme
pref-theme-system = As the system
pref-theme-light = Light
pref-theme-dark = Dark
pref-zoom = Text and controls size

## src/ui/settings/providers.rs
spinner-providers = Loading sign-in providers
providers = Sign-in providers (OAuth2)
providers-text = Gmail, Microsoft, Yahoo, AOL and others let you sign in through your browser instead of typing a password. For that, Outpost needs to be registered with each provider; whoever gave you Outpost usually did that. To use a registration of your own, enter it below.
providers-packagers = Details for packagers
providers-packagers-text = Register a "desktop" or "public" app with the redirect address http://127.0.0.1 and enter its client id (and secret, if one is issued). For every user of a system, set them in /etc/xdg/outpost/oauth2.json.
signs-in-for = Signs in for { $hosts }
client-id-of = { $provider } client id
client-id = client id
client-secret-of = { $provider } client secret
client-secret = secret, if issued
save-provider = Save { $provider }
register-app-with = Register an app with { $provider }
register-app = Register an app

## src/ui/mod.rs
window-already-open = Outpost is already open; its window was brought forward.

## src/main.rs
window-cannot-open = error: the window could not be opened: { $error }
window-needs-session = Outpost needs a graphical session (X11 or Wayland). Without one, use the command line: outpost --help
window-not-built = error: this outpost was built without its window (feature "gui").
use-command-line = Use the command line: outpost --help

## src/cli/account.rs
secret-token = token
stdin-read-failed = Could not read the { $what } from standard input ({ $error }).
stdin-read-failed-advice = Pipe it in, e.g. `secret-tool lookup … | outpost account add …`.
secret-prompt = { $what } for { $email }:{ " " }
terminal-read-failed = Could not read the { $what } ({ $error }).
terminal-read-failed-advice = Use --password-stdin to pipe it in.
no-secret-given = No { $what } was given, and there is no terminal to ask on.
no-secret-given-advice = Pass it on standard input with --password-stdin (never as an argument), or use --auth none for a server that needs no login.
secret-empty = The { $what } is empty.
secret-empty-advice = Give the { $what }, or use --auth none for a server without login.
settings-unconfirmed = The settings found are not confirmed: { $warnings }.
settings-unconfirmed-advice = Check them with your provider. To use them anyway, give them explicitly: --host { $host } --port { $port } --security { $security }
cli-signin-instead = Or sign in with { $provider } through the browser instead: that needs a client id registered with { $provider } (outpost oauth2 set { $id } --client-id …), then add the account with --auth oauth2.
cli-added = Added { $email } ({ $host }:{ $port }, { $security }, login: { $auth }); { $kept }.
cli-kept-in =
    { $what ->
        [sign-in] sign-in
       *[password] password
    } kept in the { $backend }
cli-no-password-needed = no password needed
cli-check-it = Check it with: outpost account check { $email }
cli-not-oauth2 = { $email } logs in with login method '{ $auth }', not by signing in through the browser.
cli-not-oauth2-advice = To sign in with the provider instead: outpost account add --email { $email } --detect --auth oauth2 --replace
cli-signed-in-again = { $email } is signed in again; waiting messages are sent.
cli-no-accounts = No accounts yet. Add one with: outpost account add --email … (or open the window: outpost)
cli-account-line = { $email }{ $name } — { $host }:{ $port } { $security } (login: { $auth }, { $backend }){ $default }
cli-default-mark = [default]
cli-through-proxy = through the proxy { $proxy }
cli-trusts-only = trusts only the certificate key { $key } ({ $subject })
cli-password-may-remain = The password may still be in the keyring: { $problem } { $advice }
cli-warning = warning: { $text }
cli-still-waiting =
    { $count ->
        [one] One message from { $email } is still waiting to be sent.
       *[other] { $count } messages from { $email } are still waiting to be sent.
    }
cli-nothing-removed = { $problem } Nothing was removed.
cli-nothing-removed-advice = Say what becomes of them: --cancel-waiting (they are not sent) or --keep-waiting (they are sent once the account is added again).
cli-ask-waiting = Cancel them [c], keep them until the account is added again [k], or stop [s]?{ " " }
cli-answer-unread = Could not read the answer ({ $error }).
cli-answer-unread-advice = Pass --cancel-waiting or --keep-waiting instead.
cli-stopped = Nothing was removed: { $email } stays as it is.
cli-stopped-advice = Run the command again and answer c or k, or pass --cancel-waiting or --keep-waiting.
cli-bad-timeout = --timeout { $value } is not a duration.
cli-bad-timeout-advice = Give the seconds each step may take, e.g. --timeout 15.
cli-testing = Checking { $email } via { $host }:{ $port } (security { $security }, login { $auth })
cli-transcript = The conversation with the server (passwords and tokens hidden):
cli-cert-presents = The server presents this certificate:
cli-cert-trust-hint = If this is your own server and the key's SHA-256 is the one it shows (see SECURITY.md): outpost account trust-certificate { $email } --fingerprint { $key }

## src/cli/certificate.rs
cli-cert-self-issued = { $issuer } (itself: a self-signed certificate)
cli-cert-refused = Refused
cli-cert-confirm = Trust this certificate for { $email }, and only its key from now on? [y/N]{ " " }
cli-cert-answer-advice = Pass --fingerprint with the key's SHA-256 instead.
cli-cert-fingerprint-advice = Run without --fingerprint to see the server's.
cli-cert-untrusted = { $email } no longer trusts the certificate key { $key }; the usual authorities decide again.
cli-cert-none = { $email } trusted no certificate of its own.
cli-cert-presents-host = { $host }:{ $port } presents this certificate:
cli-cert-no-terminal = Nothing was trusted: there is no terminal to confirm on.
cli-cert-no-terminal-advice = Compare the key's SHA-256 with the server's own (see SECURITY.md), then run again with --fingerprint { $key }.
cli-cert-nothing = Nothing was trusted.
cli-cert-trusted = { $email } now trusts this certificate's key, and no other: a changed key is refused before anything is sent.

## src/cli/detect.rs
cli-looking = Looking for the settings of { $email }
cli-bad-deadline = --deadline { $value } is not a duration.
cli-bad-deadline-advice = Give the seconds detection may take, e.g. --deadline 10.
cli-by-hand = { $advice } With the command line: outpost account add --host …
cli-settings-for =
    Settings for { $email } (from: { $source }{ $provider }{ $unconfirmed ->
        [yes] , NOT confirmed
       *[no] {""}
    }):
cli-also-possible = Also possible: { $settings } from { $source }

## src/cli/identity.rs
cli-identity-removed = { $account } no longer sends as { $email }.
cli-signature-unreadable = Cannot read the signature from { $path } ({ $error }).
cli-signature-unreadable-advice = Check the path, or give the text with --signature.
cli-sends-as =
    { $account } sends as { $email }{ $own ->
        [yes] {" "}(its own address).
       *[no] ; the server must allow it: a refusal shows in 'outpost account identity list'.
    }
cli-no-accounts-short = No accounts yet. Add one with: outpost account add --email …
cli-replies-to = (replies to { $address })
cli-signed = , signed
cli-identity-refused = refused by the server: { $words }
cli-identity-refused-advice = What to do: allow { $email } as an address of this account at your provider (Gmail: Settings → Accounts → Send mail as; Microsoft 365: the mailbox's 'Send as' permission), then add it again here to clear this note.

## src/cli/import.rs
cli-found-line = { $host }:{ $port } { $email } ({ $security }, login { $auth }{ $user })
cli-no-address = (no address)
cli-login-as = as { $user }
cli-no-home = HOME is not set, so other programs' settings cannot be found.
cli-no-home-advice = Run Outpost as a user with a home folder.
cli-nothing-to-import = No other mail program on this computer has sending settings Outpost can read.
cli-offer =
    { $id }{ $known ->
        [yes] {"  "}(already in Outpost)
       *[no] {""}
    }
cli-found-in = found in { $place }
cli-note = Note: { $program } { $place }: { $problem }
cli-import-not-found = No account '{ $id }' was found in other programs' settings.
cli-import-list-advice = 'outpost account import --list' shows what can be found.
cli-import-these = These can be imported: { $ids }.
cli-import-no-address = { $program } does not say which address '{ $id }' sends from.
cli-import-no-address-advice = Give it with --email you@example.org.
cli-imported = Added { $email } from { $program } ({ $host }:{ $port }, { $security }). Check it with: outpost account check { $email }

## src/cli/oauth2.rs
cli-open-to-sign-in = Open this address in a browser to sign in with { $provider }:
cli-sign-in-browser = Sign in with { $provider } in your browser. If no browser opened, open this address:
cli-no-browser = No browser could be opened ({ $error }). Open this address to sign in with { $provider }:
cli-waiting-browser = Waiting for the browser… (Ctrl+C cancels)
cli-signed-in = Signed in with { $provider }.
cli-no-provider-settings = { $file } has no settings for '{ $provider }'.
cli-no-provider-settings-advice = 'outpost oauth2 list' shows the providers and their settings.
cli-provider-removed = Removed your settings for { $provider }.
cli-provider-line = { $id } { $name } client id: { $client } hosts: { $hosts }
cli-not-set = (not set)
cli-set-client-id = Set a client id with: outpost oauth2 set ID --client-id … (kept in { $file })
cli-provider-saved =
    Saved: { $name } ({ $id }) signs in for { $hosts }{ $client ->
        [yes] .
       *[no] ; no client id yet.
    }

## src/cli/outbox.rs
cli-at-advice = Give --at a time, or a day and a time, e.g. --at 21:30, --at "tomorrow 09:00" or --at "2026-12-24 09:00".
cli-in-the-past = { $text } is in the past ({ $when }).
cli-in-the-past-advice = Give a later time, or leave out --at to send now.
cli-body-unreadable = Cannot read the body from { $path } ({ $error }).
cli-body-unreadable-advice = Check the path, or give the text with --body.
cli-queued-later = Queued as #{ $id } ({ $message_id }), to be sent { $when } ({ $countdown }); until then, 'outpost queue cancel { $id }' takes it back.
cli-queued = Queued as #{ $id } ({ $message_id }).
cli-outbox-empty = The outbox is empty.
cli-sender-running = Sending: { $who } since { $since }; the next message is due { $next }.
cli-sent-by = { $who } sends it.
cli-sent-in-background = Outpost sends it in the background (process { $pid }), with no window needed; 'outpost queue list' shows how it goes.
cli-background-off = { $var } is off, so no sender was started: it leaves while Outpost's window is open or 'outpost run' runs.
cli-sender-nothing-due = when you act (an account waits for you)
cli-sender-none = Nothing is sending now: waiting messages leave when a message is queued, when Outpost's window opens, or when you run: outpost run --background
cli-find-settings-again = To see what they are now: outpost detect { $email }; to use them: outpost account add --email { $email } --detect --replace
cli-stop-none = Nothing is sending: there is no sender to stop.
cli-sender-stopped = The sender (process { $pid }) finished what it was sending and stopped. Waiting messages stay in the outbox.
cli-stop-waiting = The sender (process { $pid }) was asked to stop and is still finishing what it sends.
cli-stop-waiting-advice = Run 'outpost run --stop' again in a while, or look with 'outpost queue list'.
sending-stopped-asked = Sending was stopped on request ('outpost run --stop').
sending-stopped-asked-advice = Waiting messages stay in the outbox; they leave when Outpost is opened again or 'outpost run' runs.
cli-to-be-sent = , to be sent { $when }
cli-next-try = , next try { $when }
cli-queue-line = #{ $id } { $state } { $to } — { $subject } (attempts { $attempts }{ $next })
cli-last = last: { $reply }
cli-show-head = #{ $id } { $state } — to { $to } — { $subject }
cli-maybe-sent = A connection broke after sending: it may have arrived already.
cli-recipient = { $field }: { $address } — { $state }{ $reply }
cli-retry-next-run = #{ $id } will be tried at the next run.
cli-cancelled = #{ $id } cancelled.
cli-manuals = Wrote { $count } manual pages into { $dir }.
cli-manuals-failed = The manual pages could not be written into { $dir }: { $error }
cli-manuals-failed-advice = Give a folder you can write to.
manual-title = Outpost Manual
sendmail-manual = Reads one message on standard input and queues it; also called as sendmail (a link named sendmail to outpost).
    
    Options: -t takes the recipients from To, Cc and Bcc (Bcc is removed from the message); without -t only the RECIPIENT arguments receive it. -i (or -oi): a line holding a single dot does not end the message. -f ADDRESS (or -r ADDRESS): the sender; the account that sends as that address (its own, or one of its identities) sends it. Without -f, the From header's address decides; without a From, the default account. -F NAME: the name in From when the message gives none. Other mailers' delivery options (-o…, -B, -N, -R, -V, -X, -v, -U, -n, -Am, -Ac, -bm) are accepted and ignored.
    
    It never waits for the server: the message is stored durably, and a background sender delivers it (started when none runs; see outpost run --background). outpost queue list shows how it goes.
    
    Exit status (sysexits.h): 0 queued; 64 wrong usage, or no recipient; 65 the message cannot be read as mail; 67 no account sends as the sender's address; 74 standard input could not be read; 75 the outbox could not store it (try again later); 78 the configuration (home folder, accounts file) cannot be read.
cli-keep-days = { $days ->
    [one] 1 day
   *[other] { $days } days
}
cli-keep-forever = forever
cli-stats-messages = { $count ->
    [one] The outbox holds 1 message ({ $states }).
   *[other] The outbox holds { $count } messages ({ $states }).
}
cli-stats-space = The text of { $kept } of them is kept: { $text }. The file takes { $file }, { $free } of it free.
cli-stats-keep = Sent and cancelled messages keep their text for { $keep } (outpost queue keep-text, or { $path }).
cli-pruned = { $count ->
    [one] Let go of the text of 1 message ({ $size }); the outbox file is now { $file }.
   *[other] Let go of the text of { $count } messages ({ $size }); the outbox file is now { $file }.
}
cli-keep-set = Sent and cancelled messages now keep their text for { $keep }; { $count } let go of theirs now ({ $size }).
cli-bad-number = error: { $option } { $value } is not a positive number of seconds or days.
cli-serving = Sending what the outbox holds, and new messages as they come; Ctrl+C stops.
cli-account-paused = account paused: { $reason }
cli-to-be-sent-at = to be sent { $when } ({ $countdown })
cli-next-try-last = next try { $when }{ $last }
cli-waiting-line = Waiting: #{ $id } to { $to } — { $why }
cli-sendmail = sendmail: { $text }
cli-sendmail-unreadable = cannot read the message: { $error }
cli-no-from = (no From, and no default account)
cli-no-sender = no Outpost account sends as { $who }; add one with: outpost account add

## src/cli/output.rs
cli-replace-advice = Add it again with --replace to replace its settings.
cli-list-advice = 'outpost account list' shows the accounts there are.
cli-error =
    error: { $problem }
      What to do: { $advice }
cli-home-advice = Set OUTPOST_HOME to a folder.

## src/usecases/account.rs
removed-cancelled =
    { $count ->
        [one] One waiting message cancelled; it will not be sent.
       *[other] { $count } waiting messages cancelled; they will not be sent.
    }
removed-kept =
    { $count ->
        [one] One waiting message kept: it is sent once an account for { $email } is added again.
       *[other] { $count } waiting messages kept: they are sent once an account for { $email } is added again.
    }
removed-waiting-unchanged = Its waiting messages could not be changed: { $problem } { $advice }
account-exists = an account for { $email } exists already
account-missing = there is no account for { $email }
account-exists-problem = An account for { $email } exists already.
account-exists-advice = Open that account and change its settings instead.
account-missing-problem = There is no account for { $email }.
account-missing-advice = The list of accounts shows the ones there are.

## src/usecases/certificate.rs
cert-not-encrypted = { $email } connects without encryption (security none): there is no certificate
cert-mismatch = the server shows the key { $shown }, not { $given }
cert-not-encrypted-advice = Choose security 'tls' or 'starttls' for the account first.
cert-not-trusted = The certificate was not trusted: the server shows the key { $shown }, not { $given }.
cert-mismatch-advice = Check the fingerprint on the server itself. If the server's key really differs from the one you expected, someone may be intercepting the connection: do not go on.

## src/usecases/check.rs
token-still-valid = the stored { $issuer } token is still valid
token-renewed = renewed with { $issuer }
make-it-here = { $advice } { $headline } Make it here: { $page }
step-failed-error = { $step }: { $error }

## src/usecases/draft.rs
enter-address = Enter the address you send from.
enter-server = Enter the server, e.g. smtp.example.org.
port-range = A port is a number from 1 to 65535 (465 or 587).
signin-again-move = Sign in again to move the sign-in to the other keyring.
signin-first = Sign in with the provider first.
password-again-move = Enter the password again to move it to the other keyring.
enter-password = Enter the password.
confirm-settings = Check these settings with your provider, then confirm them.
plaintext-warning = Without encryption your password crosses the network readable by anyone on the way. Choose TLS or STARTTLS, or confirm below.

## src/usecases/queue.rs
action-failed =
    could not { $action ->
        [retry] retry
        [cancel] cancel
       *[delete] delete
    } message { $id }: { $error }
action-retry-done = Message #{ $id } will be tried now.
action-cancel-done = Message #{ $id } cancelled; it will not be sent.
action-delete-done = Message #{ $id } deleted.
cannot-retry =
    Message #{ $id } is { $state ->
        [queued] waiting
        [sending] being sent
        [retry] waiting to be tried again
        [sent] sent
        [failed] failed
       *[cancelled] cancelled
    } and cannot be retried.
cannot-retry-advice = Only waiting or failed messages can be tried again.
cancelled-already = Message #{ $id } is cancelled already.
cancelled-already-advice = It will not be sent; nothing more to do.
cannot-cancel = Message #{ $id } cannot be cancelled any more.
cannot-cancel-advice = It is being sent or was sent already.
cannot-delete = Message #{ $id } cannot be deleted while it is being sent.
cannot-delete-advice = Wait until this attempt ends, then delete it.

## src/runtime/outbox.rs
notify-recipient-refused = { $recipient } was refused: { $reply }
notify-not-delivered-id = Message #{ $id } was not delivered
notify-sending-on = { $count ->
    [one] Outpost will send the waiting message in the background
   *[other] Outpost will send { $count } waiting messages in the background
}
notify-sending-on-body = They leave as soon as they can, with no window open. Settings → Sending turns this off.
autostart-name = Outpost: send waiting mail
autostart-comment = Sends the messages waiting in Outpost's outbox after you log in, then ends
background-no-program = Outpost cannot find its own program file to send in the background: { $error }
background-not-started = The background sender could not be started: { $error }
background-advice = The message is kept in the outbox. It leaves when you open Outpost, or run: outpost run --background
sender-window = Outpost's window (process { $pid })
sender-background = Outpost in the background (process { $pid })
sender-run = 'outpost run' (process { $pid })
notify-not-delivered = “{ $subject }” was not delivered

## src/runtime/signin.rs
client-saved = Saved the client id for { $provider }.

## src/runtime/worker.rs
sending-stopped = Sending stopped: { $problem }
sending-stopped-advice = { $advice } Restart Outpost; the queued messages are kept.

## src/account/explain.rs
ports = Submission servers use port 465 with security 'tls', or 587 with 'starttls'.
verify-local = { $detail } (during '{ $step }').
verify-local-advice = Try again; if it keeps happening, check this computer's network connection.
verify-refused = { $host } refused the connection: nothing accepts mail on port { $port }.
verify-refused-advice = The port is probably wrong. { ports }
verify-connect-timeout = { $host } did not answer on port { $port } within { $seconds } seconds: the connection attempts were dropped without any reply, probably by a firewall ({ $tried }).
verify-connect-timeout-advice = This network may block port { $port }: try { $other } instead, or another network. A wrong server name can look like this too.
verify-unreachable = { $host } cannot be reached on port { $port } ({ $detail }).
verify-unreachable-advice = Check that this computer is online and that no firewall blocks mail ports.
meaning-app-password = the server wants an app password, not your account's password
meaning-app-password-advice = Switch on 2-step verification for your account, create an app password in its security settings, and enter that app password instead of your password.
meaning-bad-credentials = the server refused the user name or password
meaning-bad-credentials-advice = Check both. Many providers (Gmail, Yahoo, iCloud, Outlook.com) refuse the account's own password in mail apps: create an app password in your account's security settings, or sign in with the provider.
meaning-smtp-auth-disabled =
    logging in to send mail (SMTP AUTH) is switched off for your { $whose ->
        [organisation] organisation
       *[mailbox] mailbox
    } by its administrator
meaning-smtp-auth-disabled-advice = Your password is not the problem. Your administrator must allow SMTP AUTH for this mailbox (Microsoft 365: Exchange admin center → the mailbox → Manage email apps → Authenticated SMTP); or sign in with Microsoft instead.
meaning-too-many-bad-logins = the provider blocks logins for now after too many failed attempts
meaning-too-many-bad-logins-advice = Wait an hour or so before trying again, and check the password first (an app password, if your provider needs one): every failed try prolongs the block.
meaning-not-authenticated = the server wants a login before it takes mail
meaning-not-authenticated-advice = Set the account's login to 'password' (or sign in with the provider), with security tls or starttls.
meaning-sender-not-allowed = the server does not let this login send from this From address
meaning-sender-not-allowed-advice = Send from the address you log in with, or have it added as an alias (a 'send as' permission) with your provider first.
meaning-network-blocked = the server refuses mail from this network's address
meaning-network-blocked-advice = Send from another network (not a VPN or a shared hosting address), or ask your provider to unblock it.
meaning-daily-limit = the account reached its daily sending limit
meaning-daily-limit-advice = Sending from this account waits until the provider's limit resets (about 24 hours); the messages stay in the outbox.
meaning-rate-limited = the server asks to slow down
meaning-rate-limited-advice = Outpost waits longer before trying again from this account.
meaning-too-many-recipients = the server takes fewer recipients at once
meaning-too-many-recipients-advice = Outpost sends the message to the others in further rounds.
meaning-too-large = the message is larger than the server accepts
meaning-too-large-advice = Send large files as a link, or split the attachments over several messages.
meaning-unauthenticated = the message was refused as unauthenticated for its sender's domain
meaning-unauthenticated-advice = Send through the server of the domain in your From address, or send from an address of this account.
meaning-relay-denied = the server does not pass mail on for this connection
meaning-relay-denied-advice = Log in (login 'password', or sign in), and use your provider's submission server on port 465 or 587.
meaning-other = the server refused
meaning-other-advice = The server's own words above say why; your provider's support can help.
-cert-own-server = If this is your own server, compare the SHA-256 of its key (shown with the certificate) with the one the server itself gives, then trust this certificate for this account.
cert-wrong-name-advice = If { $names } is your provider's server, use that name as the server. Otherwise someone may be intercepting the connection: do not go on.
cert-wrong-name-unknown-advice = The server name may be wrong; otherwise someone may be intercepting the connection: do not go on.
cert-expired-advice = The server's administrator must renew the certificate. Also check that this computer's date and time are right.
cert-not-yet-valid-advice = Check that this computer's date and time are right.
cert-unknown-issuer-advice = The certificate is self-signed or from an authority this computer does not trust. If your organisation runs its own authority, install its certificate (or name it in SSL_CERT_FILE). { -cert-own-server } Otherwise someone may be intercepting the connection: do not go on.
cert-revoked-advice = The certificate was withdrawn by its issuer: do not go on, and tell the server's administrator.
cert-self-signed-advice = A self-signed certificate proves nothing by itself: anyone can make one. { -cert-own-server } Otherwise ask the server's administrator for a certificate from an authority (Let's Encrypt is free).
cert-wrong-purpose-advice = The server's administrator must install a certificate made for servers. Do not go on.
cert-unacceptable-advice = Do not go on; tell the server's administrator.
cert-changed-advice = Nothing was sent, not even the login. If the server's certificate was replaced on purpose, compare the new key's SHA-256 with the server's and trust the new certificate for this account. Otherwise someone may be intercepting the connection: do not go on.
verify-tls-failed = The encrypted connection could not be set up ({ $detail }).
verify-tls-failed-advice = The server may not expect TLS at the start on this port, or may speak only TLS older than 1.2, which Outpost refuses as no longer safe. { ports } Nothing was sent.
verify-no-starttls = The server did not offer encryption (STARTTLS); someone may be stripping it.
verify-no-starttls-advice = Nothing was sent. Try security 'tls' on port 465. If this server truly has no encryption, ask your provider for one that does; do not send a password over it.
verify-starttls-refused = The server refused to start encryption: { $reply }.
verify-starttls-refused-advice = Nothing was sent. Try security 'tls' on port 465, or try again later.
verify-starttls-injection = The server sent data before encryption began, which a genuine server never does; someone may be tampering with the connection.
verify-starttls-injection-advice = Nothing was sent. Try another network, or security 'tls' on port 465.
verify-login-silent = The server gave no answer to the login (waited { $seconds } seconds).
verify-login-silent-advice = Some servers say nothing instead of refusing a wrong password. Check the password (or the app password, if your provider asks for one), then check again.
verify-timeout = The server stopped answering during '{ $step }' (waited { $seconds } seconds).
verify-timeout-greeting-advice = The port may expect TLS from the first byte: try security 'tls'. { ports }
verify-timeout-advice = The server may be overloaded, or a firewall interferes. Try again later, or another port.
verify-closed = The server closed the connection during '{ $step }'.
verify-closed-advice = It may refuse connections from this network, or expect a different security setting on this port. Try again later, or another port.
verify-protocol = The answer during '{ $step }' is not SMTP ({ $detail }).
verify-protocol-advice = Check the server name and port: this may not be a mail server, or it may expect TLS from the first byte. { ports }
verify-rejected = The server refused '{ $step }': { $reply }.
temporary-advice = The server says this is temporary: try again in a few minutes.
verify-no-auth = The server offers no login on this connection.
verify-no-auth-advice = This may be a server for server-to-server mail (port 25), or it offers a login only over encryption. Use your provider's submission server. { ports } If this server accepts mail from your network without a login, set login to 'none'.
verify-no-mechanism = The server offers only login methods Outpost does not speak: { $offered }.
verify-no-mechanism-advice = Outpost logs in with PLAIN, LOGIN or XOAUTH2 (OAuth2). Ask your provider whether another server or port offers one of these.
verify-plaintext-refused = Outpost did not send your password: the connection is not encrypted.
verify-plaintext-refused-advice = Choose security 'tls' or 'starttls'. Only for a server on a network you trust, confirm sending the password unencrypted in the account settings.
verify-no-secret = No password or token is stored for this account.
verify-no-secret-advice = Enter the password in the account form, or add the account again with --password-stdin.
verify-auth-failed = The server refused the login: { $reply }.
verify-encryption-required = The server requires encryption before a login: { $reply }.
verify-encryption-required-advice = Choose an encrypted connection. { ports }
secret-no-service = No keyring service is running ({ $detail }).
secret-no-service-advice = Start your desktop's keyring (GNOME Keyring or KWallet) and try again. Or keep the password for this session only, in the kernel keyring, forgotten at logout or reboot: choose 'this session only' in the window, or pass --session-keyring. Outpost never writes passwords to a file.
secret-locked = The keyring is locked or refused access ({ $detail }).
secret-locked-advice = Unlock your keyring (log in to the desktop, or open Passwords and Keys) and try again.
secret-not-found = The { $backend } holds no password for this account.
secret-not-found-session-advice = The session keyring forgets at logout and reboot: enter the password again (edit the account, or add it again with --password-stdin).
secret-not-found-system-advice = Enter the password again: edit the account in the window, or add it again with --password-stdin.
secret-not-found-goa-advice = Check the account in GNOME Settings → Online Accounts.
secret-unsupported = The { $backend } does not exist on this system.
secret-unsupported-advice = Use the system keyring instead.
secret-platform = The keyring failed ({ $detail }).
secret-platform-advice = Try again; if it keeps failing, restart the keyring service or log in again.
secret-goa-gone = The account was removed from GNOME Online Accounts, which kept its password.
secret-goa-gone-advice = Add it again in GNOME Settings → Online Accounts, or give this account a password of its own (edit it in the window).
secret-goa-attention = GNOME Online Accounts needs you to sign in again ({ $detail }).
secret-goa-attention-advice = Sign in again in GNOME Settings → Online Accounts; the messages waiting are sent afterwards.
store-io = Could not { $action ->
        [read] read
        [open] open
        [lock] lock
        [create] create
       *[write] write
    } { $path } ({ $error }).
store-io-advice = Check that the folder exists, that you may write to it and that the disk is not full.
store-corrupt = The account file { $path } is damaged ({ $detail }).
store-corrupt-advice = Outpost left it as it is. Repair it in a text editor, or move it away to start again with no accounts (your passwords stay in the keyring).
store-too-new = The account file { $path } comes from a newer Outpost (format { $found }).
store-too-new-advice = Outpost left it as it is. Update Outpost, or move the file away to start again with no accounts.
invalid-email-advice = Write the address as name@example.org.
invalid-name-advice = Remove the line break or control character.
invalid-host-advice = Write the server as smtp.example.org, or an IP address.
invalid-proxy-advice = Write the proxy as socks5h://host:port (Tor: socks5h://127.0.0.1:9050), or leave it empty.
invalid-plaintext-advice = Choose security 'tls' or 'starttls'. Only for a server on a network you trust, confirm sending the password unencrypted (--allow-plaintext-password).

## src/account/model.rs
security-tls = TLS (implicit)
security-none = None (unencrypted)
security-none-short = no encryption
auth-oauth2 = Sign in with the provider (OAuth2)
auth-none = No login
not-one-of =
    '{ $text }' is not a { $what ->
        [security] security mode
       *[login] login method
    }; use one of: { $names }
invalid-email = '{ $text }' is not an e-mail address; write it as name@example.org
invalid-display-name = the name may not contain line breaks or control characters
invalid-host = '{ $text }' is not a server name; write it as smtp.example.org or an IP address
invalid-port = port 0 is not a port; submission servers use 465 (TLS) or 587 (STARTTLS)
invalid-username = the user name may not contain line breaks or control characters
invalid-plaintext = security 'none' would send your password unencrypted; choose tls or starttls, or confirm that this server is on a network you trust

## src/account/secrets.rs
backend-system = system keyring
backend-session = session keyring (until reboot)
backend-goa = GNOME Online Accounts
secret-error-no-service = no keyring service is running ({ $detail })
secret-error-locked = the keyring is locked or refused access ({ $detail })
secret-error-not-found = the { $backend } holds no secret for this account
secret-error-unsupported = the { $backend } is not available on this platform
secret-error-platform = the keyring failed ({ $detail })
secret-error-goa-gone = the GNOME Online Accounts account { $id } was removed
secret-error-goa-attention = GNOME Online Accounts needs you to sign in again ({ $detail })
secret-not-text = the stored secret is not valid text
secret-malformed = the stored secret is malformed: { $error }
kernel-access = the kernel keyring refused access
kernel-failed =
    the kernel keyring { $what ->
        [full] is full: your key quota is used up
        [memory] ran out of memory
        [no-keyring] has no session keyring for this login
        [rejected] rejected the key
        [permission] refused permission
        [unsupported] does not support this here
        [missing] could not find the key
       *[request] refused the request
    }
kernel-errno = the kernel keyring failed: { $error }
no-system-keyring = no system keyring on this platform

## src/account/store.rs
store-error-io =
    could not { $action ->
        [read] read
        [open] open
        [lock] lock
        [create] create
       *[write] write
    } { $path }: { $error }
store-error-corrupt = the account file { $path } is damaged ({ $detail }); it was left untouched
store-error-too-new = the account file { $path } was written by a newer Outpost (format { $found }, this one knows { $supported }); it was left untouched
store-no-version = no format version

## src/account/verify.rs
step-token = Sign-in token
step-resolve = Find the server
step-connect = Connect
step-tls = Encrypt the connection
step-greeting = Server's welcome
step-ehlo = Check what the server supports
step-starttls = Switch to encryption
step-auth = Log in
step-quit = Say goodbye
verify-error-refused = { $host } refused the connection on port { $port } (at { $ip })
verify-error-connect-timeout = no answer from { $host } on port { $port } within { $seconds } s ({ $tried })
verify-error-unreachable = { $host } cannot be reached on port { $port }: { $detail }
verify-error-tls = the TLS handshake failed: { $detail }
verify-error-no-starttls = the server did not offer encryption (STARTTLS)
verify-error-starttls-refused = the server refused STARTTLS: { $reply }
verify-error-injection = the server sent data before the TLS handshake
verify-error-timeout = no answer during '{ $step }' within { $seconds } s
verify-error-closed = the server closed the connection during '{ $step }'
verify-error-protocol = the server's answer during '{ $step }' is not SMTP: { $detail }
verify-error-rejected = the server refused '{ $step }': { $reply }
verify-error-no-auth = the server offers no login (AUTH) on this connection
verify-error-mechanisms = the server offers only these login methods: { $offered }
verify-error-plaintext = the connection is not encrypted, so the password was not sent
verify-error-no-secret = no password or token is stored for this account
verify-error-auth = the server refused the login: { $reply }
verify-error-encryption-required = the server requires encryption first: { $reply }
tls-pinned-although = { $version }, the certificate trusted for this account (key { $key }) although { $why }
tls-pinned = { $version }, the certificate trusted for this account (key { $key })
tls-valid-for = { $version }, certificate valid for { $host }
connection-error-during = connection error during '{ $step }': { $error }
overlong-reply = overlong reply
closed-in-handshake = the server closed the connection during the handshake
size-no-limit = SIZE (no limit given)
no-extensions = no extensions
closed-by-server = connection closed by the server
resolve-by-proxy = { $host } is looked up by the proxy { $proxy }
resolve-is-address = { $host } is an address: nothing to look up
resolve-more = { $host } is at { $shown } and { $more } more
resolve-at = { $host } is at { $shown }
logged-in-as = logged in as { $user } with { $mechanism }

## src/detect/autoconfig.rs
warn-http = learned over unencrypted HTTP, where anyone on the way can change it
no-smtp-in-it = { $url }: no SMTP server in it

## src/detect/autodiscover.rs
xml-too-deep = the document is nested too deeply
autodiscover-too-large = the answer is too large
autodiscover-malformed = not well-formed XML: { $error }
autodiscover-not = not an Autodiscover answer

## src/detect/config_xml.rs
xml-too-large = the document is larger than { $bytes } bytes
xml-malformed = the document is not well-formed XML: { $error }
xml-not-client-config = the document is not an autoconfig clientConfig (root element <{ $root }>)
xml-bad-hostname = bad hostname { $text }
xml-bad-port = bad port { $text } for { $host }
xml-bad-socket = unknown socketType { $text } for { $host }
xml-unknown-entity = unknown entity &{ $name };
xml-ends-inside = the document ends inside <{ $path }>

## src/detect/explain.rs
detect-nothing-advice = Your provider's help pages give its SMTP server (often smtp.{ $domain }, port 465 or 587). Enter it by hand.
detect-blocked-advice = This network seems to block mail ports (some hotels, schools and companies do). Try another network, or ask your provider for its server and enter it by hand.
detect-dns-advice = Check that this computer is online; behind a hotel or train Wi-Fi, sign in to its page first. You can also enter the server by hand.

## src/detect/facts.rs
login-app-password = App password
login-authorization-code = Authorization code
login-email-password = E-mail password
switch-on-first = Switch on { $what } first.
needs-app-password = { $provider } needs an app password: your account's own password does not work in mail apps.
needs-authorization-code = { $provider } needs an authorization code in place of your password.
needs-email-password = { $provider } needs its separate e-mail password, not your customer login.
oauth-only = { $provider } accepts only its own sign-in from mail apps: no password works, not even an app password.
needs-access-first = { $provider } needs access for mail apps switched on first.
needs-on-first = It needs { $requires } on first{ $place }.
guidance-open = Open: { $page }
facts-error = the provider facts cannot be read: { $error }

## src/detect/guess.rs
probe-no-answer = no answer in time
probe-greeting = greeting { $reply }
probe-no-starttls = no STARTTLS offered
probes-silent = all { $count } probes went unanswered: this network may have blocked mail ports
probes-nothing = none of { $count } probes found a mail server

## src/detect/mod.rs
not-in-builtin = { $domain } is not in the built-in list
dns-around-proxy = not asked: DNS lookups would go around the proxy { $proxy }
warn-unauthenticated = these settings come from an unauthenticated source ({ $source }): confirm them before use
warn-no-encryption = this server offers no encryption: a password would cross the network readable
warn-disagree = sources disagree: { $first } says { $first_says }, { $second } says { $second_says }

## src/detect/model.rs
source-known = Your account at this domain
source-builtin = Built-in provider list
better-match = A better match arrived: { $origin } says { $settings }.
better-match-use = Use it
source-autoconfig = Provider's autoconfig (HTTPS)
source-pacc = Provider's PACC configuration
pacc-not-json = the document is not valid JSON: { $error }
pacc-digest-differs = { $url } does not match the digest published at { $name }: it was changed on the way or is out of date, so it was not used
pacc-no-digest = { $url } is not vouched for: { $name } has no UAAC1 digest, so the document was not used
source-wellknown = Domain's well-known autoconfig
source-ispdb = Thunderbird's online database
source-srv = DNS service records (SRV)
source-mx = Mail exchanger (MX)
source-autodiscover = Microsoft Autodiscover
source-guess = Probing likely servers
source-http = Autoconfig over plain HTTP
origin-signed = { $source }, signed (DNSSEC)
origin-provider = { $source } ({ $provider })
describe-settings = { $host }:{ $port } with { $security }
outcome-servers =
    { $count ->
        [one] 1 server
       *[other] { $count } servers
    }

## src/detect/mx.rs
no-mx = { $domain } has no MX
mx-belongs = { $domain }'s mail is handled by { $mx }, which belongs to { $provider }
mx-ispdb = { $domain }'s mail is handled by { $mx }; Thunderbird's database knows { $name }
mx-own-signed = { $domain }'s mail is handled by { $mx }, as its signed (DNSSEC) MX record says; these settings come from { $name }'s own autoconfig
srv-outside = the SRV record of { $domain } points to { $target }, outside { $domain }, and is not signed (DNSSEC); DNS answers can be forged
mx-own = { $domain }'s mail is handled by { $mx }; these settings come from { $name }'s own autoconfig, which { $domain } does not vouch for
mx-unknown = the MX host { $mx } is not a known provider

## src/detect/srv.rs
srv-declined = { $domain } declares that it offers no submission service
srv-none = no SRV records for { $domain }

## src/detect/target.rs
detect-bad-address = '{ $input }' is not an e-mail address: { $reason }
detect-nothing = no settings were found for { $domain }
detect-blocked = no mail server near { $domain } answered on ports 465, 587 or 25
detect-dns = DNS did not answer for { $domain }

## src/message/compose.rs
message-bad-address = { $field }: '{ $input }' is not an e-mail address
message-no-recipient = the message has no recipient
message-line-break = { $field } may not contain a line break
message-attachment = cannot read the attachment { $path }: { $reason }
message-build = the message could not be built: { $error }
message-text-unencodable = the text could not be encoded
message-too-large = the message would be { $size } bytes, more than the { $limit } bytes Outpost sends
not-a-file = it is not a file

## src/message/explain.rs
message-bad-address-advice = Write addresses as name@example.org or Name <name@example.org>.
message-no-recipient-advice = Add at least one recipient (To, Cc or Bcc).
message-line-break-advice = Remove the line break.
message-attachment-advice = Check that the file exists and that you may read it.
message-too-large-advice = Send fewer or smaller attachments, or share large files by link.
message-build-advice = Check the addresses and try again.

## src/message/reopen.rs
cannot-read-back = the queued message cannot be read back

## src/mailto.rs
mailto-not = '{ $text }' is not a mailto: link
mailto-encoding = the mailto: link has broken %-encoding near '{ $text }'
mailto-advice = Write the message by hand, or ask whoever made the link to fix it.

## src/oauth/config.rs
config-io =
    could not { $action ->
        [read] read
       *[write] write
    } { $path }: { $error }
config-not-valid = not valid sign-in settings: { $error }

## src/oauth/error.rs
oauth-no-issuer = Outpost knows no OAuth2 sign-in for { $host }
oauth-no-client-id = no OAuth2 client id is set for { $provider }
oauth-not-an-issuer = “{ $issuer }” is not a sign-in issuer: an issuer must be an https:// address
oauth-metadata = Could not read how { $issuer } signs mail apps in: { $detail }
oauth-issuer-mismatch = The sign-in answer came from “{ $found }”, not from { $expected } where you signed in. Outpost did not use it: another site may be trying to take over the sign-in
oauth-issuer-mismatch-advice = Sign in again. If this keeps happening, tell your provider: its sign-in service names itself wrongly
oauth-registration-refused = { $issuer } would not let Outpost register as a mail app: { $error }{ $description }
oauth-registration-advice = Try again later; if it keeps failing, ask your provider to allow mail apps to register (OAuth dynamic client registration). { $instead }
oauth-no-client-id-given = the answer has no client id
oauth-registration-http = the server answered with HTTP status { $status } and no explanation
oauth-endpoint-not-https = { $url } is not an https:// address; sign-in endpoints must be encrypted
oauth-no-pkce = it does not offer PKCE with S256, which Outpost needs to keep the sign-in safe
oauth-listen = could not listen for the browser on 127.0.0.1: { $error }
oauth-denied = the provider did not sign you in: { $error }{ $description }
oauth-timeout = no answer from the browser within { $minutes } minutes
oauth-refused = the provider refused the token request: { $error }{ $description }
oauth-sign-in-again = the sign-in expired and cannot be renewed without you
oauth-unavailable = the provider's token service failed (HTTP { $status })
oauth-bad-response = the provider's answer is not usable: { $detail }
oauth-http = the provider's token service cannot be reached: { $error }
password-fallback = Or log in with a password instead: many providers accept an app password (Google and Yahoo: create one in the account's security settings, with 2-step verification on), chosen as login method 'password'.
register-desktop-app = Register Outpost as a desktop app with { $provider }
register-desktop-app-at = Register Outpost as a desktop app with { $provider } at { $url }
microsoft-no-password = Outlook.com and Hotmail accept no password from mail apps, not even an app password; a Microsoft 365 mailbox may, if its administrator allows SMTP AUTH (login method 'password').
no-client-id = Signing in with { $provider } needs an OAuth2 client id, and none is set.
no-client-id-advice = { $register } (redirect address http://127.0.0.1, any port), then enter its client id under Sign-in providers on the Settings page, or run 'outpost oauth2 set { $id } --client-id ID [--client-secret SECRET]'. { $instead }
no-issuer-advice = Add the provider's endpoints with 'outpost oauth2 set NAME --host { $host } --auth-url … --token-url … --scope … --client-id …', or use a password.
denied-access = You did not allow Outpost to send mail in the browser.
denied-access-advice = Sign in again and allow access. { password-fallback }
oauth-timeout-advice = Sign in again; if no browser opened, open the address Outpost shows yourself.
signin-invalid = The sign-in is no longer valid: { $error }.
signin-invalid-advice = Sign in again (in the window: open the account and press Sign in again; on the command line: 'outpost account signin ADDRESS'). Messages wait meanwhile and are sent after.
client-refused-advice = Check the client id and secret under Sign-in providers on the Settings page.
oauth-transient-advice = Outpost tries again by itself; check that this computer is online.
oauth-config-advice = Correct the file, or remove the provider from it.
oauth-other-advice = Try signing in again. { password-fallback }

## src/oauth/issuers.rs
provider-needs = provider '{ $id }' is not in Outpost's table, so it needs { $what } as well
provider-no-hosts = provider '{ $id }' names no SMTP hosts ("hosts")

## src/oauth/redirect.rs
browser-signed-in = Signed in
browser-signed-in-text = { $provider } signed you in to Outpost. You can close this tab and go back to Outpost.
browser-not-signed-in = Not signed in
browser-not-signed-in-text = { $provider } did not sign you in ({ $error }). Go back to Outpost to try again or to use a password instead.
browser-not-for-outpost = Not for Outpost
browser-ignored = This request was ignored: { $why }.

## src/oauth/token.rs
token-not-json = the token answer is not valid JSON: { $error }
token-not-bearer = the token type is '{ $kind }', not Bearer
token-empty = the access token is empty
token-http = HTTP { $status } without an OAuth2 error

## src/outbox/explain.rs
outbox-db-advice = Check free disk space and the folder's permissions. Outpost changed nothing; the messages already queued are kept.
outbox-too-new-advice = Update Outpost; the queued messages are kept.
outbox-damaged-advice = To start with an empty outbox, move the file aside (for example rename it to outbox-damaged.sqlite); Outpost then makes a new one. The messages in the old file may be saved with sqlite3's .recover command.
outbox-error-unreadable = the outbox { $path } holds something this Outpost cannot read: { $error }
outbox-unreadable = message #{ $id } has a { $what } this Outpost does not know: “{ $found }”
outbox-unreadable-row = the outbox has a { $what } this Outpost does not know: “{ $found }”
outbox-unreadable-advice = Nothing was changed. Was the outbox written by a newer Outpost, or changed by hand? Use the Outpost that wrote it, or move the file aside (rename it to outbox-unreadable.sqlite) to start with an empty outbox; its messages stay in the file.
outbox-not-found-advice = 'outpost queue list' shows the messages there are.
outbox-body-gone-advice = Its recipients and history are still there. Sent messages keep their text as long as Settings → Sending says (or: outpost queue keep-text --days N).
retention-unreadable-advice = Write it as keep_sent_text_days = 30 (a number of days, or "forever"), or delete the file for the default of 30 days. Meanwhile every text is kept.
retention-unwritable-advice = Check that the config folder is yours and the disk is not full, then try again.
outbox-sending-advice = Wait until this attempt ends, then try again.
outbox-sent-advice = It was delivered already; nothing more to do.
outbox-cancelled-advice = It will not be sent; Edit & resend sends it after all.
outbox-state-advice = 'outpost queue show' says where it is.
worker-running-advice = That Outpost sends the messages ('outpost queue list' shows how it goes); to send from here instead, stop it first: outpost run --stop
worker-lock-advice = Check that the data folder is yours and the disk is not full, then try again; the queued messages are kept.

## src/outbox/policy.rs
setup-account-gone = its account was removed; add it again to send this message
setup-token-refused = the server refused the sign-in token ({ $reply }); sign in again
setup-server-name = { $error }: check the account's server name
gave-up =
    { $days ->
        [one] gave up after 1 day: { $why }
       *[other] gave up after { $days } days: { $why }
    }
needs-login = the server wants a login or encryption first ({ $reply }); check the account's settings
login-refused-again = the server refused the login ({ $reply }); enter the password again (an app password, if your provider needs one)

## src/outbox/send.rs
what-error = { $what }: { $error }
what-no-answer = { $what }: no answer within { $seconds } s
connection-failed = the connection failed
no-reply-to-mail = no reply to MAIL
missing-rcpt-reply = missing RCPT reply
no-recipient = no recipient
after-final-dot = after the final ".": { $error }
no-reply-final-dot = no reply to the final "." within { $seconds } s

## src/outbox/sendmail.rs
sendmail-unknown-option = unknown sendmail option { $option }
sendmail-missing-value = the option { $option } needs a value
sendmail-no-recipient = no recipients: give them as arguments, or use -t to read To, Cc and Bcc
sendmail-bad-address = '{ $text }' is not an e-mail address
sendmail-too-large = the message is larger than { $bytes } bytes
sendmail-bad-header = the message header is malformed: { $detail }
sendmail-continuation-first = a continuation line comes first

## src/outbox/store.rs
state-sent = sent
state-failed = failed
state-cancelled = cancelled
state-sending = sending
state-waiting = waiting
state-retry = will retry
state-sent-refused =
    { $count ->
        [one] sent, 1 refused
       *[other] sent, { $count } refused
    }
delivery-waiting = waiting
delivery-accepted = accepted
delivery-refused = refused
delivery-deferred = deferred
outbox-error-db = the outbox { $path } cannot be used: { $error }
outbox-error-too-new = the outbox { $path } was written by a newer Outpost (schema { $found }); it was left untouched
outbox-error-damaged = the outbox { $path } is damaged ({ $error }); it was left untouched
outbox-error-not-found = there is no message { $id } in the outbox
outbox-error-body-gone = the text of message { $id } is no longer kept (it was sent or cancelled a while ago)
retention-unreadable = { $path } cannot be read: { $error }
retention-unwritable = { $path } could not be written: { $error }
retention-not-days = "{ $value }" is neither a number of days nor "forever"
outbox-error-state =
    message { $id } is { $state ->
        [queued] waiting
        [sending] being sent
        [retry] waiting to be tried again
        [sent] sent
        [failed] failed
       *[cancelled] cancelled
    } now
note-queued-for = queued, to be sent { $when }
note-queued = queued
note-late = was to be sent { $when }; Outpost was not running then, so it is sent now
note-sent = sent: { $reply }
note-retry = will retry { $when }: { $reason }
note-failed = failed: { $reason }
note-account-removed = cancelled: its account was removed
note-account-back = its account was added again; sending resumes
note-retry-requested = retry requested
note-sender-stopped = the sender stopped while sending it; trying again with the same Message-ID
note-recipient-deferred = recipient { $recipient } deferred: { $reply }
note-held = waits with its account: { $reason }
note-paused = waits for you: { $reason }
note-cancelled = cancelled

## src/outbox/worker.rs
worker-already-running = another Outpost is already sending from this outbox ({ $detail })
worker-lock = could not lock { $path }: { $error }
event-sending = message #{ $id } sending…
event-sent = message #{ $id } sent
event-retry = message #{ $id } will be retried { $when }: { $reason }
event-failed = message #{ $id } failed: { $reason }
event-recipient-refused = message #{ $id }: recipient { $recipient } was refused: { $reply }
event-paused = sending paused: { $reason }
event-lane-failed = a bug stopped one connection ({ $bug }); its messages are tried again in a minute, the others go on
cause-bug = a bug in Outpost stopped the attempt ({ $detail })
note-recipient-refused = refused recipient { $recipient }: { $reply }
maybe-sent-again = may have been sent ({ $error }); trying again with the same Message-ID
resumes-at = { $why } Sending resumes { $when }.

## src/notify.rs
notify-no-service = no notification service: { $error }
notify-unsupported = desktop notifications are not supported on this platform

## src/instance.rs
instance-listen = cannot listen on { $path }: { $error }

## src/import/evolution.rs
import-no-auth-section = the SMTP transport has no [Authentication] section
import-transport-no-host = the SMTP transport names no host

## src/import/git.rs
import-section-error = [{ $name }]: { $error }

## src/import/kmail.rs
import-kmail-no-host = transport { $id } names no host
import-kmail-error = transport { $id }: { $error }

## src/import/msmtp.rs
import-msmtp-no-host = account '{ $name }' names no host
import-msmtp-error = account '{ $name }': { $error }

## src/import/mutt.rs
import-mutt-not-address = smtp_url '{ $url }' is not an address
import-mutt-scheme = smtp_url uses '{ $scheme }', not smtp or smtps
import-mutt-no-server = smtp_url '{ $url }' names no server

## src/import/reader.rs
import-unreadable = it cannot be read ({ $error })
import-bad-port = '{ $text }' is not a port

## src/import/thunderbird.rs
import-tb-no-host = server '{ $key }' has no host name
import-tb-error = server '{ $key }': { $error }

## src/net/connect.rs
attempt-answered = { $ip } answered
attempt-refused = { $ip } refused
attempt-failed = { $ip } unreachable ({ $why })
attempt-no-answer = { $ip } did not answer
attempt-abandoned = { $ip } had not answered yet
connect-refused = every address refused the connection
connect-dropped = no answer within { $seconds } s
proxy-unreachable = the proxy { $proxy } cannot be reached: { $cause }
proxy-login = the proxy { $proxy } refused the login
proxy-onward = the proxy { $proxy } could not connect to { $target }: { $reason }
proxy-protocol = { $proxy } is not a working SOCKS5 proxy: { $detail }
connection-timeout = no connection within { $seconds } s

## src/net/explain.rs
dns-not-found = The server name { $host } does not exist.
dns-not-found-advice = Check the spelling of the server name (for example smtp.example.org); your provider's help pages give the exact name.
dns-known-server-advice = { $host } is { $provider }'s own server name, spelt right: the DNS server this network uses could not find it. Check that the computer is online (open a web page), or switch off a VPN or filter that answers for names, then check again.
dns-no-records = The name { $host } exists but has no address.
dns-no-records-advice = Check the server name: it may be the mail domain rather than the server (smtp.example.org rather than example.org).
dns-timeout = No DNS server answered for { $host }.
dns-timeout-advice = Check that this computer is online. Behind a hotel or train Wi-Fi, sign in to its page first; with a VPN, check that it is connected.
dns-failed = Looking up { $host } failed ({ $detail }).
dns-failed-advice = Check this computer's network connection and DNS settings.
netsetup-anchors-advice = Give OUTPOST_DNSSEC_ANCHORS a file of DNSKEY records in zone file form (example.org. 3600 IN DNSKEY 257 3 15 …), or unset it to trust the root zone's keys.
netsetup-resolver-advice = Fix or unset OUTPOST_DNS, or check /etc/resolv.conf.
netsetup-tls-advice = Fix or unset SSL_CERT_FILE.
netsetup-port-map-advice = Fix or unset OUTPOST_PORT_MAP.
netsetup-proxy-advice = Set ALL_PROXY to a SOCKS5 proxy (socks5h://host:port), or unset it.
proxy-unreachable-advice = Check that the proxy is running (for Tor: that the Tor service is started), or change the proxy in the account's settings or ALL_PROXY.
proxy-login-advice = Give the proxy's user name and password in ALL_PROXY (socks5h://user:password@host:port), or ask whoever runs it.
proxy-onward-advice = Check the server name and port; if they are right, the server may be down, or the proxy's network may not reach it.
proxy-protocol-advice = Check that the address is a SOCKS5 proxy (Tor listens on port 9050), not an HTTP proxy or another service.

## src/net/http.rs
http-status = the server answered HTTP { $status }
http-too-large = the answer is larger than { $bytes } bytes
http-timeout = no complete answer within { $seconds } s
http-silent = the server accepted the connection but sent nothing for { $seconds } s
http-redirects = more than { $count } redirects
http-downgrade = a redirect from { $from } to unencrypted { $to } was refused

## src/net/pin.rs
pin-bad = '{ $text }' is not a SHA-256 fingerprint; give the 64 hex digits Outpost showed (colons optional), e.g. 3A:9F:…

## src/net/proxy.rs
proxy-bad-form = '{ $text }' is not a proxy address; write it as socks5h://host:port
proxy-bad-scheme = '{ $text }' is not a SOCKS5 proxy; Outpost reaches mail servers only through SOCKS5 (socks5h://host:port, e.g. socks5h://127.0.0.1:9050 for Tor)
proxy-password-in-settings = a proxy password is not saved in the account's settings; give the proxy without it, or set it in ALL_PROXY for the programs that need it

## src/net/resolver.rs
dns-bad-server = { $var }='{ $value }' is not a DNS server address; write it as 127.0.0.1:53
dns-bad-anchors = { $var } names { $path }, which is not a file of DNSKEY records: { $detail }. Fix the file or unset { $var }
dns-system-config = the system's DNS configuration could not be read ({ $detail })
dns-error-not-found = the name { $host } does not exist in DNS
dns-error-no-records = { $host } has no { $record } record
dns-error-timeout = no DNS server answered for { $host } in time
dns-error-failed = DNS lookup of { $host } failed ({ $detail })

## src/net/smtp/error.rs
smtp-io = connection error: { $error }
smtp-closed = the server closed the connection
smtp-malformed = the server sent something that is not SMTP: { $text }
smtp-too-long = the server sent an overlong reply
smtp-pipelined = the server sent data before the TLS handshake; the connection was dropped
smtp-reply = the server replied: { $reply }

## src/net/stack.rs
netsetup-all-proxy = ALL_PROXY: { $error }
netsetup-port-map = { $var }='{ $value }' is not a list of port=port pairs

## src/net/tls.rs
tls-cert-file = { $var }={ $path } cannot be used: { $detail }
tls-config = the TLS configuration could not be built: { $error }
cert-problem-wrong-name = the certificate is not valid for { $expected }
cert-problem-expired-on = the certificate expired on { $date }
cert-problem-expired = the certificate has expired
cert-problem-not-before = the certificate is not valid before { $date }
cert-problem-not-yet-valid = the certificate is not valid yet
cert-problem-unknown-issuer = the certificate was not issued by a trusted authority (it may be self-signed, or from a private authority)
cert-problem-self-signed = the certificate was issued by itself (self-signed), not by an authority this computer trusts
cert-problem-wrong-purpose = the certificate is not meant for a server
cert-problem-revoked = the certificate was revoked
cert-problem-unacceptable = the certificate is damaged or signed in a way Outpost does not accept
cert-problem-changed = the server's certificate changed: this account trusts only the key { $pinned }
cert-problem-changed-shown = the server's certificate changed: this account trusts only the key { $pinned }, and the server showed the key { $shown }
cert-problem-issued-for = (it is issued for { $names })

## src/clock.rs
countdown-now = now
countdown-seconds = in { $seconds } s
countdown-minutes = in { $minutes } min
countdown-hours = in { $hours } h { $minutes } min
date-today = today { $time }
date-yesterday = yesterday { $time }
# Day, abbreviated month and year, then the time (24-hour clock).
date-day = { $day } { $month ->
        [1] Jan
        [2] Feb
        [3] Mar
        [4] Apr
        [5] May
        [6] Jun
        [7] Jul
        [8] Aug
        [9] Sep
        [10] Oct
        [11] Nov
       *[12] Dec
    } { $year } { $time }
time-tomorrow = { $time } tomorrow
time-on-day = { $time }, { $day }
clock-bad-moment = '{ $text }' is not a date and time (write it as 21:30, tomorrow 09:00, friday 14:00 or 2026-12-24 09:00, in local time; or with an offset: 2026-12-24T09:00+01:00)

## src/explain.rs
size-bytes = { $count } bytes
size-kb = { $size } kB
size-mb = { $size } MB
size-gb = { $size } GB

## src/address.rs
address-no-at = it has no @; write it as name@example.org
address-local-part = the part before @ is empty or has spaces
address-domain = the domain after @ is not a valid name
address-not-full-domain = the domain after @ must be a full domain such as example.org
address-invalid = it is not a valid address

## src/paths.rs
no-home = no home directory is known for this user; set { $var } to a folder Outpost may use

## src/runtime/guard.rs
bug-problem = A bug in Outpost stopped it while { $what }: { $detail }.
bug-advice = Nothing was lost: messages in the outbox stay there and are sent as before. Try again; if it happens again, please report it with what you did.
bug-no-detail = no details
bug-doing-accounts = reading the accounts
bug-doing-save = saving the account
bug-doing-remove = removing the account
bug-doing-check = checking the connection
bug-doing-sign-in = signing in
bug-doing-queue = putting the message in the outbox
bug-doing-message = reading or changing the message
bug-doing-server-size = asking the server for its size limit
bug-doing-files = reading the attachments' sizes
bug-doing-client = saving the sign-in settings
bug-doing-space = reading the outbox's size
bug-doing-drafts = saving or reading your drafts
bug-doing-other = working in the background
bug-doing-watch = watching the outbox for changes
bug-doing-send = sending
core-stopped = Outpost's background part stopped because of a bug: nothing more can be checked, saved or sent from this window.
core-stopped-advice = Nothing was lost: the outbox and the accounts are on disk. Close Outpost and open it again.
watcher-not-started = the outbox cannot be watched for changes: { $error }

## Copies of sent messages in the Sent folder (IMAP)
imap-tls = the encrypted connection to the IMAP server failed: { $error }
imap-no-starttls = the IMAP server does not offer STARTTLS, so the password would cross the network unencrypted
imap-no-login = the IMAP server offers no way to log in that Outpost can use
imap-login-refused = the IMAP server refused the login: { $text }
imap-refused = the IMAP server refused { $command }: { $text }
imap-bye = the IMAP server ended the connection: { $text }
imap-closed = the IMAP server closed the connection
imap-io = the connection to the IMAP server failed: { $error }
imap-malformed = the IMAP server sent something that is not IMAP
imap-timeout = the IMAP server did not answer within { $seconds } s
invalid-folder = the Sent folder's name contains a line break or control character
copy-over-quota = the mailbox is full ({ $said }): make room in it (empty the Trash, delete large messages), then choose “File the copy now” in the outbox (outpost queue retry with its number)
copy-login-refused = the IMAP server refused the login ({ $said }); sending works with the same password, so IMAP may be switched off in the provider's web settings
copy-refused-code = the IMAP server refused { $command } [{ $code }]: { $said }
copy-refused = the IMAP server refused { $command }: { $said }
copy-off = copies are switched off for this account
copy-state-filed = Copy filed in { $folder }
copy-state-waiting = Copy for the Sent folder not filed yet
copy-state-failed = Copy not filed in the Sent folder (see the history)
note-filed = filed in { $folder }
note-folder-created = the account had no Sent folder: made “{ $folder }”
note-copy-retry = copy not filed, trying again { $when }: { $reason }
note-copy-not-filed = copy not filed: { $reason }
cli-copies-on = { $email }: copies of sent messages go to the Sent folder on { $host }:{ $port } ({ $security })
cli-copies-off = { $email }: no copies of sent messages are filed
step-imap = Log in to the IMAP server (for copies in Sent)
step-sent-folder = Find the Sent folder
imap-logged-in = logged in to { $host }:{ $port }{ $tls }
sent-folder-marked = { $folder } (the server marks it as Sent)
sent-folder-named = { $folder } (by its name; the server marks no folder as Sent)
sent-folder-chosen = { $folder } (as set for this account)
sent-folder-made-later = there is no “{ $folder }” yet: Outpost makes it with the first copy
verify-imap-advice = Check the IMAP server, port and encryption in the account's settings, or switch off copies in the Sent folder for this account (outpost account edit ADDRESS --no-sent-copy).
verify-imap-login-advice = Sending works with the same login, so the provider may have IMAP switched off: switch it on in its web settings, or switch off copies in the Sent folder for this account.
sent-copy-section = Copies in the Sent folder
sent-copy-switch = File a copy of each sent message in the Sent folder (IMAP)
sent-copy-provider-files = { $provider } files its own copy of what it sends: a second one would be a duplicate.
field-imap-server = IMAP server
sent-copy-no-server = Enter the IMAP server (often imap. and your domain) for copies to be filed; until then none are.
sent-copy-found = Found by { $source }.
field-imap-port = IMAP port
field-imap-security = IMAP encryption
sent-copy-summary = Copies of sent messages go to the Sent folder on { $host }.
sent-copy-summary-off = No copies of sent messages are filed.
sent-copy-summary-no-server = No IMAP server is set: no copies of sent messages are filed yet.
file-copy-now = File the copy now
mend-signed = a line of this signed message is longer than 998 characters, which mail servers refuse; re-encoding it would break the signature, so it is not queued: have the program sign a body with shorter lines (or encode it as quoted-printable before signing)
mend-multipart = a line of this multipart message is longer than 998 characters, which mail servers refuse; Outpost does not rewrite the parts, so it is not queued: have the program encode that part (quoted-printable or base64)
mend-encoded = this message's body is already { $encoding } but has a line longer than 998 characters: it is damaged, so it is not queued
mend-header = the header field { $field } has a line longer than 998 characters with no space to fold it at, which mail servers refuse: it is not queued
needs-smtputf8 = the address { $address } has characters beyond ASCII, which this server does not take (it does not offer SMTPUTF8); Outpost did not send it
queue-too-large = the message is { $size }, more than the { $limit } its server takes (as it announced): it is not queued
outbox-error-attachment = an attachment could not be read while the message was queued: { $error }
outbox-attachment-advice = Nothing was queued. Attach the file again (it may have been moved, removed or changed meanwhile), then send.
attachment-changed = { $path } changed after it was attached
attachment-lost = an attachment's place in the message was not found

# Spelling in Write (issue 29)
language-en = English
language-de = Deutsch
language-fr = Français
language-es = Español
language-it = Italiano
language-nl = Nederlands
spelling-error-file = { $path } could not be read or written: { $error }
spelling-error-dictionary = the dictionary { $path } could not be read: { $error }
spelling-label = Spelling
spelling-off = Off
spelling-none = No spelling dictionaries are installed, so spelling is not checked; writing works as usual. Install one (on Debian and Ubuntu: hunspell-en-us, hunspell-de-de) to have misspelt words underlined.
spelling-loading = Reading the dictionary…
spelling-all-right = No misspelt words
spelling-wrong = { $count ->
    [one] 1 word not in the dictionary: { $words }
   *[other] { $count } words not in the dictionary: { $words }
}
spelling-checking = Checking…
spelling-menu = Spelling of “{ $word }”
spelling-add = Add “{ $word }” to the dictionary
spelling-no-suggestions = No suggestions
spelling-finding = Finding suggestions…
spelling-hint = Right-click an underlined word, or put the cursor in it and press the menu key or Shift+F10, for suggestions.
spelling-error-file-advice = Check that the file and its folder can be read and written; your text is not affected.
spelling-error-dictionary-advice = Choose another language for spelling, or reinstall the dictionary; your text is not affected.
