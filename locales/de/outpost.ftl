# Outposts Meldungen auf Deutsch. Anrede: „Sie“; Knöpfe nennen die Handlung im Infinitiv
# („Senden“, „Konto speichern“). Gruppiert nach der Quelldatei, die sie zeigt (## Pfad).

## src/ui/app.rs
view-accounts = Konten
view-write = Schreiben
view-outbox = Postausgang
view-drafts = Entwürfe
title-drafts-count = Entwürfe ({ $count })
view-settings = Einstellungen
status-nothing-to-send = Nichts zu senden.
status-taking-over = Outpost im Hintergrund (Prozess { $pid }) beendet die Nachricht, die es gerade sendet; danach sendet dieses Fenster.
window-title = { $screen } – Outpost

## src/ui/chrome.rs
title-outbox-waiting = Postausgang ({ $count } wartend)
status-offline = Offline: Nachrichten warten auf das Netz
status-online = Online
status-waiting = { $count } wartend
status-last = zuletzt: { $what }
status-outbox = Postausgang: { $status }
status-waits-for-you = { $count ->
    [one] 1 Nachricht wartet auf Sie (ein Konto ist angehalten)
   *[other] { $count } Nachrichten warten, einige auf Sie (ein Konto ist angehalten)
}
status-waits-for-network = { $count ->
    [one] 1 Nachricht wartet auf das Netz
   *[other] { $count } Nachrichten warten auf das Netz
}
status-waits-until = { $count ->
    [one] 1 Nachricht wartet: sie ist { $when } fällig
   *[other] { $count } Nachrichten warten: die nächste ist { $when } fällig
}

## src/ui/widgets.rs
field-your-name = Ihr Name
field-your-name-hint = Für Empfänger sichtbar
password-hide = Verbergen
password-hide-said = Passwort verbergen
password-show = Zeigen
password-show-said = Passwort zeigen
keyring-system = Im Schlüsselbund des Systems
keyring-session = Nur für diese Sitzung (beim Abmelden vergessen)
what-to-do = Was tun: { $advice }
milliseconds = { $ms } ms
seconds-tenths = { $seconds } s
seconds = { $seconds } s
spinner-in-progress = { $what }: läuft
step-running = läuft …
step-passed = bestanden
step-failed = fehlgeschlagen
details = Details
source-looking = sucht …
source-found = gefunden
source-failed = fehlgeschlagen
source-nothing = nichts
source-skipped = übersprungen
source-not-needed = nicht nötig
source-word-detail = { $word }: { $detail }
whereabouts-sending = { $what } liegt im Postausgang und wird gesendet.
whereabouts-retry = { $what } wartet auf einen neuen Versuch; der Postausgang sagt, warum.
whereabouts-sent = { $what } wurde vom Server angenommen.
whereabouts-failed = { $what } ließ sich nicht senden; der Postausgang nennt den Grund des Servers.
whereabouts-cancelled = { $what } wurde abgebrochen.

## src/ui/accounts/certificate.rs
cert-self-signed = Ein selbst signiertes Zertifikat hat der Server selbst ausgestellt, nicht eine Stelle, der dieser Computer vertraut: Es verschlüsselt die Verbindung, beweist aber nicht, wer am anderen Ende ist. Vertrauen Sie ihm nur, wenn es Ihr eigener Server ist (oder der Ihrer Organisation) und der SHA-256 des Schlüssels oben der ist, den der Server anzeigt.
cert-servers = Das Zertifikat von { $server }
cert-changed = Dieses Konto vertraut dem Schlüssel { $pinned }. Vertrauen Sie dem neuen nur, wenn das Zertifikat des Servers absichtlich ersetzt wurde.
cert-trust = Diesem Zertifikat für dieses Konto vertrauen
cert-trust-hint = Ab jetzt nimmt dieses Konto genau diesen Schlüssel an und keinen anderen; ein geänderter Schlüssel wird abgelehnt, bevor etwas gesendet wird.
cert-issued-to = Ausgestellt für
cert-itself = { $issuer } (selbst)
cert-issued-by = Ausgestellt von
cert-names = Namen
cert-valid = Gültig
cert-valid-range = { $from } bis { $to }
cert-key = SHA-256 des Schlüssels
cert-trusted = Vertrautes Zertifikat
cert-pinned = Dieses Konto nimmt von { $server } statt der üblichen Zertifizierungsstellen nur diesen Schlüssel an (SHA-256):
cert-trusted-although = Vertraut, obwohl { $why }.
cert-stop-trusting = Nicht mehr vertrauen

## src/ui/accounts/form.rs
form-title-saved = Kontoeinstellungen
form-title-new = Konto hinzufügen
field-proxy = Proxy (SOCKS5)
field-proxy-hint = Keiner; z. B. socks5h://127.0.0.1:9050 für Tor
test-failed-last = Die letzte Verbindungsprüfung ist fehlgeschlagen.
test-never = Diese Einstellungen wurden nicht geprüft.
save-anyway-text = Sie können das Konto trotzdem speichern: Nachrichten von ihm warten im Postausgang und werden erneut versucht, bis die Einstellungen funktionieren oder der Server mit seinem Grund ablehnt.
save-anyway = Trotzdem speichern
test-first = Erst Verbindung prüfen
field-email = E-Mail-Adresse
find-settings = Einstellungen automatisch suchen
field-server = Server
field-port = Port
field-security = Sicherheit
field-username = Benutzername
field-username-hint = Meist Ihre Adresse
field-login = Anmeldung
field-signin = Anmeldedienst
field-password = Passwort
password-kept-by-goa = Von GNOME Online-Konten verwahrt, bei jeder Nutzung abgefragt
password-keep-stored = Leer lassen, um das gespeicherte zu behalten
field-keep = Aufbewahrung
plaintext-consent = Mein Passwort unverschlüsselt senden: Dieser Server ist in einem Netz, dem ich vertraue
cancel-test = Prüfung abbrechen
test-connection = Verbindung prüfen
save-changes = Änderungen speichern
save-account = Konto speichern
remove-account = Konto entfernen …
email-hint = name@example.org

## src/ui/accounts/identities.rs
remove = Entfernen
send-as = Senden als
send-as-text = Weitere Adressen, von denen dieses Konto senden darf (Aliasse, die Ihr Anbieter erlaubt), jeweils mit dem Namen, den Empfänger sehen, einer Antwortadresse und einer Signatur.
own-address = Die Adresse dieses Kontos
field-address = Adresse
field-name = Name
remove-address = { $address } entfernen
add-send-as = Absenderadresse hinzufügen
this-address = diese Adresse
field-reply-to = Antwort an
field-reply-to-hint = Antworten gehen an die Adresse selbst
field-signature = Signatur
field-signature-hint = Steht unter Ihren Nachrichten, nach einer Zeile „-- “
identity-refused = vom Server abgelehnt
server-said = Der Server sagte: { $words }
identity-refused-advice = Was tun: Erlauben Sie { $email } bei Ihrem Anbieter als Adresse dieses Kontos (Gmail: Einstellungen → Konten → Senden als; Microsoft 365: die Berechtigung „Senden als“ des Postfachs), entfernen Sie dann diesen Hinweis und speichern Sie; oder entfernen Sie die Adresse.
identity-clear-note = Jetzt erlaubt: Hinweis entfernen

## src/ui/accounts/list.rs
add-account = Konto hinzufügen
no-accounts-yet = Noch keine Konten.
account-default = { $email } (Standard)
make-default = Als Standard festlegen

## src/ui/accounts/live.rs
all-passed = Alle Schritte bestanden: Dieses Konto kann Mail senden.
finding-settings = Einstellungen suchen
connection-test = Verbindungsprüfung

## src/ui/accounts/mod.rs
spinner-accounts = Konten werden geladen
divider-account-list = Größe der Kontenliste ändern
scroll-account = Bildlauf des Kontos
account-saved = { $email } gespeichert.
account-removed = { $email } entfernt.
account-removed-secret-left = { $email } entfernt, aber sein Passwort ist vielleicht noch im Schlüsselbund: { $problem }
welcome = Willkommen bei Outpost
welcome-text = Wählen Sie links ein Konto, oder fügen Sie eines hinzu, um zu senden.
accounts-heading = Ihre Konten
accounts-pick = Wählen Sie links ein Konto, um seine Einstellungen zu sehen oder zu ändern, oder fügen Sie ein weiteres hinzu.
usual-settings-below = Unten stehen die üblichen Einstellungen; prüfen Sie sie mit Ihrem Anbieter.
keep-session-only = Passwort nur für diese Sitzung behalten

## src/ui/accounts/provider.rs
open-code-page = Seite für den Autorisierungscode öffnen
open-email-password-page = Seite für das E-Mail-Passwort öffnen
open-app-password-page = Seite für App-Passwörter öffnen
provider-help = Hilfe von { $provider }:
provider-help-first = Mail-Programm einrichten
provider-help-more = mehr ({ $number })

## src/ui/accounts/remove.rs
remove-title = { $email } entfernen?
remove-what = Seine Einstellungen und sein Passwort im Schlüsselbund werden gelöscht.
remove-waiting =
    { $count ->
        [one] Eine Nachricht dieses Kontos wartet noch auf den Versand.
       *[other] { $count } Nachrichten dieses Kontos warten noch auf den Versand.
    } Verwerfen Sie sie, oder behalten Sie sie, bis Sie diese Adresse wieder hinzufügen.
remove-and-cancel =
    { $count ->
        [one] Entfernen und die Nachricht verwerfen
       *[other] Entfernen und { $count } Nachrichten verwerfen
    }
remove-keep-messages = Entfernen, Nachrichten behalten
keep-it = Behalten

## src/ui/accounts/setup.rs
search-cancelled = Die Suche wurde abgebrochen. Mit „Weiter“ suchen Sie erneut, oder richten Sie das Konto von Hand ein.
imported-settings = Mit diesen Einstellungen sendet { $program } (aus { $place }).
imported-settings-advice = Geben Sie das Passwort ein (Outpost liest es nie aus anderen Programmen) und prüfen Sie dann die Verbindung.
test-message-subject = Testnachricht von Outpost
test-message-body =
    Diese Nachricht hat Outpost gesendet, um zu prüfen, ob { $email } Mail über { $host }:{ $port } senden kann.

    Wenn Sie sie lesen können, funktioniert alles.
test-cancelled = Die Prüfung wurde abgebrochen.
test-cancelled-advice = Drücken Sie „Verbindung prüfen“, um sie neu zu starten.

## src/ui/accounts/signin.rs
spinner-browser = Warten auf den Browser
signin-cancelled = Die Anmeldung wurde abgebrochen.
signin-cancelled-advice = Melden Sie sich erneut an, wenn Sie bereit sind, oder nutzen Sie stattdessen ein Passwort.
use-password-instead = Stattdessen ein Passwort nutzen
open-settings = Einstellungen öffnen
signin-waiting = Warten auf { $provider } in Ihrem Browser … Schließen Sie die Anmeldung dort ab.
signin-no-browser = Es ließ sich kein Browser öffnen ({ $problem }). Öffnen Sie diese Adresse selbst:
signin-open-yourself = Falls sich kein Browser geöffnet hat, öffnen Sie diese Adresse:
copy-address = Adresse kopieren
cancel-signin = Anmeldung abbrechen
signed-in-with = ✔ Angemeldet bei { $provider }
sign-in-again = Erneut anmelden
sign-in-with = Bei { $provider } anmelden
signin-note = { $provider } fragt Ihr Passwort auf seiner eigenen Seite in Ihrem Browser ab; Outpost sieht es nie und bewahrt nur eine widerrufbare Anmeldung im Schlüsselbund auf.

## src/ui/accounts/trust.rs
usual-default = übliche Vorgabe ({ $what })
default-your-address = Ihre Adresse
default-password = Passwort
review-from = Quelle: { $origin }
found-by = Gefunden durch: { $origin }
guessed = Geraten: Es wurden keine veröffentlichten Einstellungen gefunden, aber unter dieser üblichen Adresse und diesem Port hat ein Mailserver geantwortet. Die Prüfung im nächsten Schritt zeigt, ob er Ihre Anmeldung annimmt.
mail-goes-through = Mail geht über { $domain }
warning = Warnung: { $warning }
not-confirmed = Outpost konnte diese Einstellungen nicht über eine vertrauenswürdige Quelle bestätigen. Prüfen Sie sie mit Ihrem Anbieter, bevor Sie Ihr Passwort senden.
trust-settings = Ich vertraue diesen Einstellungen
other-settings = Weitere gefundene Einstellungen:
use-other = { $settings } verwenden (Quelle: { $source })

## src/ui/accounts/wizard.rs
spinner-test-message = Testnachricht wird eingereiht
settings-line = Port { $port } ({ $security })
wizard-step-identity = Schritt 1 von 4 · Wer Sie sind
wizard-step-finding = Schritt 2 von 4 · Ihr Server wird gesucht
wizard-step-review = Schritt 3 von 4 · Einstellungen prüfen
wizard-step-verify = Schritt 4 von 4 · Verbindung wird geprüft
wizard-step-verified = Schritt 4 von 4 · Die Verbindung funktioniert
wizard-step-verify-failed = Schritt 4 von 4 · Die Verbindung hat nicht funktioniert
wizard-step-done = Fertig
app-password-note = Gmail, Yahoo, iCloud und andere verlangen ein App-Passwort statt des Passworts Ihres Kontos: Der nächste Schritt sagt, wie Sie eines erstellen.
set-up-manually = Von Hand einrichten
found-here = Auf diesem Computer gefunden
use-found = { $who } verwenden
found-line = aus { $program } · { $host }:{ $port }
found-known = · schon in Outpost
field-password-or-app = Passwort oder App-Passwort
advanced = Erweitert
signin-instead-text = Statt mit einem Passwort kann sich Outpost über den Browser bei { $provider } anmelden, sobald in den Einstellungen eine bei { $provider } registrierte Client-ID eingetragen ist.
signin-instead = Stattdessen bei { $provider } anmelden
edit-manually = Von Hand bearbeiten
back = Zurück
continue = Weiter
cancel = Abbrechen
keep-signin = Anmeldung aufbewahren
keep-password = Passwort aufbewahren
try-instead = Stattdessen { $settings } versuchen
try-host-instead = Stattdessen { $host } { $settings } versuchen
test-again = Erneut prüfen
copy-transcript = Gesprächsprotokoll kopieren
copy-transcript-hint = Das Gespräch mit dem Server, Passwörter und Token verborgen: fügen Sie es in eine Nachricht an den Support Ihres Anbieters ein.
transcript-copied = In die Zwischenablage kopiert.
ready-to-send = { $email } ist bereit zum Senden.
send-test-message = Testnachricht an mich senden
test-message-number = Testnachricht Nr. { $id }
finish = Fertigstellen
searching = Suche · höchstens noch { $seconds } s

## src/ui/write/compose.rs
scroll-message = Bildlauf der Nachricht
spinner-file-size = Dateigröße wird gelesen
new-message = Neue Nachricht
choose-account = Wählen Sie das Konto, von dem gesendet wird.
add-recipient = Fügen Sie mindestens einen Empfänger hinzu.
correct-address-in = Korrigieren Sie die Adresse in „{ $field }“.
remove-unreadable = Entfernen Sie { $file }: Die Datei lässt sich nicht lesen.
too-big = Die Nachricht wäre etwa { $size } groß, mehr als die { $limit }, die der Server annimmt. Entfernen Sie Anhänge, oder teilen Sie große Dateien per Link.
draft-set-aside = Ihr früherer Entwurf ist beiseitegelegt.
switch-to-draft = Zum früheren Entwurf wechseln
field-message = Nachricht
signature-added = Wird beim Senden unter den Text gesetzt:
field-from = Von
choose-an-account = Konto wählen
from-refused = Der Server hat das Senden als { $email } abgelehnt ({ $words }). Erlauben Sie es bei Ihrem Anbieter (siehe „Senden als“ des Kontos), oder wählen Sie eine andere Adresse.
field-subject = Betreff
recipients-hint = name@example.org, Name <andere@example.org>
suggestions = Vorschläge: Pfeiltasten wählen, Eingabe oder Tab übernimmt, Esc schließt
send = Senden
send-later = Später senden …
discard = Verwerfen
send-at = Senden um
calendar-open = Kalender
calendar-previous = Voriger Monat
calendar-next = Nächster Monat
calendar-month = { $month ->
    [1] Januar
    [2] Februar
    [3] März
    [4] April
    [5] Mai
    [6] Juni
    [7] Juli
    [8] August
    [9] September
    [10] Oktober
    [11] November
   *[12] Dezember
} { $year }
calendar-weekdays = Mo Di Mi Do Fr Sa So
calendar-day = { $day }. { $month ->
    [1] Januar
    [2] Februar
    [3] März
    [4] April
    [5] Mai
    [6] Juni
    [7] Juli
    [8] August
    [9] September
    [10] Oktober
    [11] November
   *[12] Dezember
} { $year }
calendar-time = Uhrzeit
calendar-hour = Stunde
calendar-minute = Minute
send-at-local = { $when } ({ $countdown }), Ortszeit
time-passed = Dieser Zeitpunkt ist vorbei.
schedule = Einplanen
close = Schließen
discard-title = Diese Nachricht verwerfen?
discard-text = Was Sie geschrieben haben, geht verloren.
discard-message = Nachricht verwerfen
keep-writing = Weiterschreiben
keep-draft = Behalten
draft-back = Ihr Entwurf von { $when } ist wieder da.
draft-file-gone = Die angehängte Datei { $file } ist nicht mehr da; entfernen Sie sie oder hängen Sie sie neu an.
draft-file-changed = Die angehängte Datei { $file } wurde seitdem geändert; die neue Fassung wird gesendet.
drafts-title = Entwürfe
drafts-none = Keine Entwürfe. Was Sie schreiben, wird hier beim Tippen aufbewahrt, bis es gesendet oder verworfen ist.
drafts-intro = Nachrichten, die Sie begonnen und nicht gesendet haben. Outpost bewahrt sie beim Tippen auf, auch nach einem Absturz.
drafts-to = an { $to }
drafts-saved = gespeichert { $when }
drafts-files-changed = eine angehängte Datei wurde seitdem geändert
drafts-open = Öffnen
drafts-open-in-write = In „Schreiben“ öffnen
drafts-discard = Verwerfen…
drafts-discard-ask = Diesen Entwurf verwerfen? Was Sie geschrieben haben, geht verloren.
attachments = Anhänge
attach-files = Dateien anhängen …
or-drop-files = oder Dateien auf das Fenster ziehen
drop-or-type = { $problem } Ziehen Sie Dateien auf das Fenster, oder geben Sie einen Pfad ein:
cannot-be-read = nicht lesbar: { $error }
remove-file = { $file } entfernen
field-file-path = Dateipfad
file-path-hint = /home/sie/bericht.pdf
attach = Anhängen
reading-sizes = Größen der Anhänge werden gelesen …
limit-up-to = der Server nimmt bis zu { $size } an
limit-none = der Server nennt keine Grenze
limit-asking = der Server wird nach seiner Grenze gefragt …
limit-unknown = die Grenze des Servers ist unbekannt ({ $why })
limit-choose-account = wählen Sie ein Konto, um die Grenze des Servers zu erfahren
total-size = Gesamtgröße etwa { $size } · { $server }
header-to = An
header-cc = Kopie (Cc)
header-bcc = Blindkopie (Bcc)

## src/ui/write/file_dialog.rs
attach-files-title = Dateien anhängen
no-file-chooser = Hier gibt es keinen Dateiauswahldialog (weder das Desktop-Portal noch zenity ist installiert).
file-chooser-slow = Warten auf die Dateiauswahl. Öffnet sich keine, ziehen Sie Dateien ins Fenster oder geben Sie unten einen Pfad ein.

## src/ui/write/mod.rs
link-ignored = Der Link verlangte auch { $headers }; Outpost hat das ignoriert.
link-ignored-advice = Links hängen nie Dateien an und setzen keine weiteren Kopfzeilen; hängen Sie Dateien selbst an, wenn Sie das wollten.
add-account-first = Fügen Sie zuerst ein Konto hinzu: Outpost braucht eines zum Senden.
message-number-size = Nachricht Nr. { $id } ({ $size })

## src/ui/outbox/details.rs
scroll-details = Bildlauf der Nachrichtendetails
spinner-message = Nachricht wird geladen
divider-details = Größe der Nachrichtendetails ändern
delete-title = Nachricht Nr. { $id } löschen?
delete-text = Sie und ihr Verlauf werden aus dem Postausgang entfernt; wurde sie noch nicht gesendet, wird sie es nie.
delete-message = Nachricht löschen
no-subject = (kein Betreff)
maybe-sent = Nach der Übergabe dieser Nachricht brach eine Verbindung ab: Sie ist vielleicht schon angekommen. Wird sie erneut gesendet, behält sie ihre Kennung, sodass die meisten Mail-Programme sie nur einmal zeigen.
history = Verlauf
recipients = Empfänger
from-account = Von
from-alias = { $from } (gesendet als, vom Konto { $account })
technical-details = Technische Details
not-sent-yet = — (noch nicht gesendet)
server-queue-id = Warteschlangen-ID des Servers
send-now = Jetzt senden
undo = Rückgängig
undo-hint = Zurück nach „Schreiben“, um sie zu ändern oder zu einer anderen Zeit zu senden
retry-now = Jetzt erneut versuchen
cancel-sending = Senden abbrechen
edit-resend = Bearbeiten und erneut senden
edit-resend-text-gone = Ihr Text wird nicht mehr aufbewahrt: gesendete Nachrichten behalten ihn so lange, wie Einstellungen → Senden sagt.
delete = Löschen …

## src/ui/outbox/filter.rs
filter-all = Alle
filter-waiting = Wartend
filter-sent = Gesendet
filter-failed = Fehlgeschlagen
filter-cancelled = Abgebrochen

## src/ui/outbox/mod.rs
spinner-outbox = Postausgang wird geladen
will-be-sent = { $what } wird { $when } gesendet.
undo-sending = Senden von Nachricht Nr. { $id } rückgängig machen

## src/ui/outbox/row.rs
state-scheduled = geplant

## src/ui/outbox/table.rs
scroll-messages = Bildlauf der Nachrichten
outbox-table = Nachrichten im Postausgang
col-status = Status
col-account = Konto
col-attempts = Versuche
col-next-try = Nächster Versuch
col-last-reply = Letzte Antwort
outbox-empty = Der Postausgang ist leer. Was Sie senden, wartet hier, bis der Server es annimmt, und bleibt danach mit der Antwort des Servers aufgeführt.
write-message = Nachricht schreiben
filter-empty =
    { $filter ->
        [waiting] Keine Nachricht wartet.
        [sent] Keine Nachricht wurde gesendet.
        [failed] Keine Nachricht ist fehlgeschlagen.
       *[cancelled] Keine Nachricht wurde abgebrochen.
    } Wählen Sie „Alle“, um jede Nachricht zu sehen.
filter-count = { $filter } ({ $count })
paused = Senden von { $who } ist angehalten: { $reason }
unreachable-not-found = { $who } hat seinen Server seit einem Tag nicht erreicht: Der Name des Servers wird nicht gefunden. Vielleicht haben sich die Einstellungen geändert.
unreachable-refused = { $who } hat seinen Server seit einem Tag nicht erreicht: Der Server lehnt die Verbindung ab. Vielleicht haben sich die Einstellungen geändert.
find-settings-again = Einstellungen erneut suchen
find-settings-again-for = Die Einstellungen von { $who } erneut suchen
open-who = { $who } öffnen

## src/ui/settings/mod.rs
scroll-settings = Bildlauf der Einstellungen

## src/ui/settings/prefs.rs
pref-online-ispdb = Thunderbirds Online-Datenbank der Anbieter fragen
pref-share-address = Meine vollständige Adresse an den Einrichtungsserver meines Anbieters senden (manche brauchen sie)
pref-probe = Wahrscheinliche Server direkt versuchen, wenn sonst nichts antwortet
pref-give-up = Aufgeben nach
pref-sending = Senden
pref-undo = Zeit zum Rückgängigmachen
pref-keep-sending = Nach dem Schließen des Fensters weiter senden
pref-keep-sending-hint = Wartende Nachrichten (auf einen neuen Versuch, einen späteren Zeitpunkt oder das Netz) gehen auch bei geschlossenem Fenster hinaus, und nach der nächsten Anmeldung.
pref-keep-text = Text gesendeter Nachrichten aufbewahren für
pref-keep-text-days = { " " }Tage
pref-keep-text-forever = Für immer
pref-space-reading = Die Größe des Postausgangs wird gelesen …
pref-space = { $count ->
    [one] Der Postausgang enthält 1 Nachricht; die aufbewahrten Texte belegen { $text }, die ganze Datei { $file }.
   *[other] Der Postausgang enthält { $count } Nachrichten; die aufbewahrten Texte belegen { $text }, die ganze Datei { $file }.
}
pref-space-pruned = { $count ->
    [one] Der Text von 1 gesendeten Nachricht wurde freigegeben ({ $size }).
   *[other] Der Text von { $count } gesendeten Nachrichten wurde freigegeben ({ $size }).
}
pref-space-free = Jetzt Platz freigeben
pref-space-free-hint = Gibt die Texte frei, die älter sind als die Zeit oben, und gibt den Platz zurück. Empfänger und Verlauf bleiben; wartende und fehlgeschlagene Nachrichten behalten alles.
pref-notifications = Benachrichtigungen
pref-notify-failures = Mich benachrichtigen, wenn eine Nachricht nicht zugestellt werden kann
pref-appearance = Erscheinungsbild
pref-theme = Farbschema
pref-theme-system = Wie das System
pref-theme-light = Hell
pref-theme-dark = Dunkel
pref-zoom = Größe von Text und Bedienelementen

## src/ui/settings/providers.rs
spinner-providers = Anmeldedienste werden geladen
providers = Anmeldedienste (OAuth2)
providers-text = Gmail, Microsoft, Yahoo, AOL und andere lassen Sie sich über Ihren Browser anmelden, statt ein Passwort einzugeben. Dafür muss Outpost bei jedem Anbieter registriert sein; meist hat das erledigt, wer Ihnen Outpost gegeben hat. Um eine eigene Registrierung zu nutzen, tragen Sie sie unten ein.
providers-packagers = Details für Paketbetreuer
providers-packagers-text = Registrieren Sie eine „Desktop“- oder „öffentliche“ App mit der Weiterleitungsadresse http://127.0.0.1 und tragen Sie ihre Client-ID ein (und das Geheimnis, falls eines ausgegeben wird). Für alle Benutzer eines Systems legen Sie sie in /etc/xdg/outpost/oauth2.json fest.
signs-in-for = Meldet an für { $hosts }
client-id-of = Client-ID für { $provider }
client-id = Client-ID
client-secret-of = Client-Geheimnis für { $provider }
client-secret = Geheimnis, falls ausgegeben
save-provider = { $provider } speichern
register-app-with = App bei { $provider } registrieren
register-app = App registrieren

## src/ui/mod.rs
window-already-open = Outpost ist schon geöffnet; sein Fenster wurde nach vorn geholt.

## src/main.rs
window-cannot-open = Fehler: Das Fenster ließ sich nicht öffnen: { $error }
window-needs-session = Outpost braucht eine grafische Sitzung (X11 oder Wayland). Ohne sie nutzen Sie die Befehlszeile: outpost --help
window-not-built = Fehler: Dieses Outpost wurde ohne Fenster gebaut (Funktion „gui“).
use-command-line = Nutzen Sie die Befehlszeile: outpost --help

## src/cli/account.rs
secret-token = Token
stdin-read-failed = „{ $what }“ ließ sich nicht von der Standardeingabe lesen ({ $error }).
stdin-read-failed-advice = Leiten Sie es per Pipe hinein, z. B. `secret-tool lookup … | outpost account add …`.
secret-prompt = { $what } für { $email }:{ " " }
terminal-read-failed = „{ $what }“ ließ sich nicht lesen ({ $error }).
terminal-read-failed-advice = Nutzen Sie --password-stdin, um es per Pipe zu übergeben.
no-secret-given = Für „{ $what }“ wurde nichts angegeben, und es gibt kein Terminal zum Nachfragen.
no-secret-given-advice = Übergeben Sie es auf der Standardeingabe mit --password-stdin (nie als Argument), oder nutzen Sie --auth none für einen Server ohne Anmeldung.
secret-empty = „{ $what }“ ist leer.
secret-empty-advice = Geben Sie „{ $what }“ an, oder nutzen Sie --auth none für einen Server ohne Anmeldung.
settings-unconfirmed = Die gefundenen Einstellungen sind nicht bestätigt: { $warnings }.
settings-unconfirmed-advice = Prüfen Sie sie mit Ihrem Anbieter. Um sie trotzdem zu nutzen, geben Sie sie ausdrücklich an: --host { $host } --port { $port } --security { $security }
cli-signin-instead = Oder melden Sie sich stattdessen über den Browser bei { $provider } an: Das braucht eine bei { $provider } registrierte Client-ID (outpost oauth2 set { $id } --client-id …); fügen Sie das Konto dann mit --auth oauth2 hinzu.
cli-added = { $email } hinzugefügt ({ $host }:{ $port }, { $security }, Anmeldung: { $auth }); { $kept }.
cli-kept-in =
    { $what ->
        [sign-in] Anmeldung
       *[password] Passwort
    } aufbewahrt in: { $backend }
cli-no-password-needed = kein Passwort nötig
cli-check-it = Prüfen Sie es mit: outpost account check { $email }
cli-not-oauth2 = { $email } meldet sich mit dem Anmeldeverfahren „{ $auth }“ an, nicht über den Browser.
cli-not-oauth2-advice = Um sich stattdessen beim Anbieter anzumelden: outpost account add --email { $email } --detect --auth oauth2 --replace
cli-signed-in-again = { $email } ist wieder angemeldet; wartende Nachrichten werden gesendet.
cli-no-accounts = Noch keine Konten. Fügen Sie eines hinzu mit: outpost account add --email … (oder öffnen Sie das Fenster: outpost)
cli-account-line = { $email }{ $name } — { $host }:{ $port } { $security } (Anmeldung: { $auth }, { $backend }){ $default }
cli-default-mark = [Standard]
cli-through-proxy = über den Proxy { $proxy }
cli-trusts-only = vertraut nur dem Zertifikatsschlüssel { $key } ({ $subject })
cli-password-may-remain = Das Passwort ist vielleicht noch im Schlüsselbund: { $problem } { $advice }
cli-warning = Warnung: { $text }
cli-still-waiting =
    { $count ->
        [one] Eine Nachricht von { $email } wartet noch auf den Versand.
       *[other] { $count } Nachrichten von { $email } warten noch auf den Versand.
    }
cli-nothing-removed = { $problem } Es wurde nichts entfernt.
cli-nothing-removed-advice = Sagen Sie, was aus ihnen wird: --cancel-waiting (sie werden nicht gesendet) oder --keep-waiting (sie werden gesendet, sobald das Konto wieder hinzugefügt ist).
cli-ask-waiting = Verwerfen [c], behalten, bis das Konto wieder hinzugefügt ist [k], oder aufhören [s]?{ " " }
cli-answer-unread = Die Antwort ließ sich nicht lesen ({ $error }).
cli-answer-unread-advice = Geben Sie stattdessen --cancel-waiting oder --keep-waiting an.
cli-stopped = Es wurde nichts entfernt: { $email } bleibt, wie es ist.
cli-stopped-advice = Führen Sie den Befehl erneut aus und antworten Sie c oder k, oder geben Sie --cancel-waiting oder --keep-waiting an.
cli-bad-timeout = --timeout { $value } ist keine Dauer.
cli-bad-timeout-advice = Geben Sie die Sekunden an, die jeder Schritt dauern darf, z. B. --timeout 15.
cli-testing = { $email } wird über { $host }:{ $port } geprüft (Sicherheit { $security }, Anmeldung { $auth })
cli-transcript = Das Gespräch mit dem Server (Passwörter und Token verborgen):
cli-cert-presents = Der Server legt dieses Zertifikat vor:
cli-cert-trust-hint = Ist es Ihr eigener Server und ist der SHA-256 des Schlüssels der, den er anzeigt (siehe SECURITY.md): outpost account trust-certificate { $email } --fingerprint { $key }

## src/cli/certificate.rs
cli-cert-self-issued = { $issuer } (selbst: ein selbst signiertes Zertifikat)
cli-cert-refused = Abgelehnt
cli-cert-confirm = Diesem Zertifikat für { $email } vertrauen, und ab jetzt nur seinem Schlüssel? [j/N]{ " " }
cli-cert-answer-advice = Geben Sie stattdessen --fingerprint mit dem SHA-256 des Schlüssels an.
cli-cert-fingerprint-advice = Führen Sie den Befehl ohne --fingerprint aus, um den des Servers zu sehen.
cli-cert-untrusted = { $email } vertraut dem Zertifikatsschlüssel { $key } nicht mehr; wieder entscheiden die üblichen Zertifizierungsstellen.
cli-cert-none = { $email } vertraute keinem eigenen Zertifikat.
cli-cert-presents-host = { $host }:{ $port } legt dieses Zertifikat vor:
cli-cert-no-terminal = Es wurde nichts vertraut: Es gibt kein Terminal zum Bestätigen.
cli-cert-no-terminal-advice = Vergleichen Sie den SHA-256 des Schlüssels mit dem des Servers (siehe SECURITY.md), und führen Sie den Befehl dann erneut mit --fingerprint { $key } aus.
cli-cert-nothing = Es wurde nichts vertraut.
cli-cert-trusted = { $email } vertraut jetzt dem Schlüssel dieses Zertifikats und keinem anderen: Ein geänderter Schlüssel wird abgelehnt, bevor etwas gesendet wird.

## src/cli/detect.rs
cli-looking = Einstellungen für { $email } werden gesucht
cli-bad-deadline = --deadline { $value } ist keine Dauer.
cli-bad-deadline-advice = Geben Sie die Sekunden an, die die Suche dauern darf, z. B. --deadline 10.
cli-by-hand = { $advice } In der Befehlszeile: outpost account add --host …
cli-settings-for =
    Einstellungen für { $email } (Quelle: { $source }{ $provider }{ $unconfirmed ->
        [yes] , NICHT bestätigt
       *[no] {""}
    }):
cli-also-possible = Auch möglich: { $settings } (Quelle: { $source })

## src/cli/identity.rs
cli-identity-removed = { $account } sendet nicht mehr als { $email }.
cli-signature-unreadable = Die Signatur lässt sich nicht aus { $path } lesen ({ $error }).
cli-signature-unreadable-advice = Prüfen Sie den Pfad, oder geben Sie den Text mit --signature an.
cli-sends-as =
    { $account } sendet als { $email }{ $own ->
        [yes] {" "}(seine eigene Adresse).
       *[no] ; der Server muss es erlauben: Eine Ablehnung zeigt „outpost account identity list“.
    }
cli-no-accounts-short = Noch keine Konten. Fügen Sie eines hinzu mit: outpost account add --email …
cli-replies-to = (Antworten an { $address })
cli-signed = , mit Signatur
cli-identity-refused = vom Server abgelehnt: { $words }
cli-identity-refused-advice = Was tun: Erlauben Sie { $email } bei Ihrem Anbieter als Adresse dieses Kontos (Gmail: Einstellungen → Konten → Senden als; Microsoft 365: die Berechtigung „Senden als“ des Postfachs), und fügen Sie sie dann hier erneut hinzu, um diesen Hinweis zu entfernen.

## src/cli/import.rs
cli-found-line = { $host }:{ $port } { $email } ({ $security }, Anmeldung { $auth }{ $user })
cli-no-address = (keine Adresse)
cli-login-as = als { $user }
cli-no-home = HOME ist nicht gesetzt, daher lassen sich die Einstellungen anderer Programme nicht finden.
cli-no-home-advice = Führen Sie Outpost als Benutzer mit einem Persönlichen Ordner aus.
cli-nothing-to-import = Kein anderes Mail-Programm auf diesem Computer hat Sendeeinstellungen, die Outpost lesen kann.
cli-offer =
    { $id }{ $known ->
        [yes] {"  "}(schon in Outpost)
       *[no] {""}
    }
cli-found-in = gefunden in { $place }
cli-note = Hinweis: { $program } { $place }: { $problem }
cli-import-not-found = In den Einstellungen anderer Programme wurde kein Konto „{ $id }“ gefunden.
cli-import-list-advice = „outpost account import --list“ zeigt, was sich finden lässt.
cli-import-these = Diese lassen sich importieren: { $ids }.
cli-import-no-address = { $program } sagt nicht, von welcher Adresse „{ $id }“ sendet.
cli-import-no-address-advice = Geben Sie sie mit --email sie@example.org an.
cli-imported = { $email } aus { $program } hinzugefügt ({ $host }:{ $port }, { $security }). Prüfen Sie es mit: outpost account check { $email }

## src/cli/oauth2.rs
cli-open-to-sign-in = Öffnen Sie diese Adresse in einem Browser, um sich bei { $provider } anzumelden:
cli-sign-in-browser = Melden Sie sich in Ihrem Browser bei { $provider } an. Hat sich kein Browser geöffnet, öffnen Sie diese Adresse:
cli-no-browser = Es ließ sich kein Browser öffnen ({ $error }). Öffnen Sie diese Adresse, um sich bei { $provider } anzumelden:
cli-waiting-browser = Warten auf den Browser … (Strg+C bricht ab)
cli-signed-in = Bei { $provider } angemeldet.
cli-no-provider-settings = { $file } hat keine Einstellungen für „{ $provider }“.
cli-no-provider-settings-advice = „outpost oauth2 list“ zeigt die Anbieter und ihre Einstellungen.
cli-provider-removed = Ihre Einstellungen für { $provider } wurden entfernt.
cli-provider-line = { $id } { $name } Client-ID: { $client } Hosts: { $hosts }
cli-not-set = (nicht gesetzt)
cli-set-client-id = Legen Sie eine Client-ID fest mit: outpost oauth2 set ID --client-id … (gespeichert in { $file })
cli-provider-saved =
    Gespeichert: { $name } ({ $id }) meldet an für { $hosts }{ $client ->
        [yes] .
       *[no] ; noch keine Client-ID.
    }

## src/cli/outbox.rs
cli-at-advice = Geben Sie bei --at eine Uhrzeit oder Datum und Uhrzeit an, z. B. --at 21:30, --at "morgen 09:00" oder --at "2026-12-24 09:00".
cli-in-the-past = { $text } liegt in der Vergangenheit ({ $when }).
cli-in-the-past-advice = Geben Sie einen späteren Zeitpunkt an, oder lassen Sie --at weg, um jetzt zu senden.
cli-body-unreadable = Der Text lässt sich nicht aus { $path } lesen ({ $error }).
cli-body-unreadable-advice = Prüfen Sie den Pfad, oder geben Sie den Text mit --body an.
cli-queued-later = Eingereiht als Nr. { $id } ({ $message_id }), zu senden { $when } ({ $countdown }); bis dahin nimmt „outpost queue cancel { $id }“ sie zurück.
cli-queued = Eingereiht als Nr. { $id } ({ $message_id }).
cli-outbox-empty = Der Postausgang ist leer.
cli-sender-running = Es wird gesendet: { $who } seit { $since }; die nächste Nachricht ist { $next } fällig.
cli-sent-by = { $who } sendet sie.
cli-sent-in-background = Outpost sendet sie im Hintergrund (Prozess { $pid }), ganz ohne Fenster; „outpost queue list“ zeigt, wie es steht.
cli-background-off = { $var } ist abgeschaltet, daher wurde kein Versand gestartet: sie geht hinaus, solange das Outpost-Fenster offen ist oder „outpost run“ läuft.
cli-sender-nothing-due = sobald Sie handeln (ein Konto wartet auf Sie)
cli-sender-none = Zurzeit sendet nichts: wartende Nachrichten gehen hinaus, wenn eine Nachricht eingereiht wird, wenn sich das Outpost-Fenster öffnet oder wenn Sie ausführen: outpost run --background
cli-find-settings-again = Um zu sehen, wie sie jetzt lauten: outpost detect { $email }; um sie zu verwenden: outpost account add --email { $email } --detect --replace
cli-stop-none = Es wird nicht gesendet: es gibt nichts anzuhalten.
cli-sender-stopped = Der Versand (Prozess { $pid }) hat beendet, was er sendete, und hat aufgehört. Wartende Nachrichten bleiben im Postausgang.
cli-stop-waiting = Der Versand (Prozess { $pid }) wurde gebeten aufzuhören und beendet noch, was er sendet.
cli-stop-waiting-advice = Führen Sie 'outpost run --stop' später erneut aus, oder sehen Sie mit 'outpost queue list' nach.
sending-stopped-asked = Das Senden wurde auf Wunsch angehalten ('outpost run --stop').
sending-stopped-asked-advice = Wartende Nachrichten bleiben im Postausgang; sie gehen hinaus, wenn Outpost wieder geöffnet wird oder 'outpost run' läuft.
cli-to-be-sent = , zu senden { $when }
cli-next-try = , nächster Versuch { $when }
cli-queue-line = Nr. { $id } { $state } { $to } — { $subject } (Versuche { $attempts }{ $next })
cli-last = zuletzt: { $reply }
cli-show-head = Nr. { $id } { $state } — an { $to } — { $subject }
cli-maybe-sent = Nach dem Senden brach eine Verbindung ab: Die Nachricht ist vielleicht schon angekommen.
cli-recipient = { $field }: { $address } — { $state }{ $reply }
cli-retry-next-run = Nr. { $id } wird beim nächsten Lauf versucht.
cli-cancelled = Nr. { $id } abgebrochen.
cli-manuals = { $count } Handbuchseiten in { $dir } geschrieben.
cli-manuals-failed = Die Handbuchseiten ließen sich nicht in { $dir } schreiben: { $error }
cli-manuals-failed-advice = Geben Sie einen Ordner an, in den Sie schreiben dürfen.
manual-title = Outpost-Handbuch
sendmail-manual = Liest eine Nachricht von der Standardeingabe und reiht sie ein; auch als sendmail aufrufbar (ein Link namens sendmail auf outpost).
    
    Optionen: -t nimmt die Empfänger aus To, Cc und Bcc (Bcc wird aus der Nachricht entfernt); ohne -t erhalten sie nur die EMPFÄNGER-Argumente. -i (oder -oi): eine Zeile mit nur einem Punkt beendet die Nachricht nicht. -f ADRESSE (oder -r ADRESSE): der Absender; das Konto, das als diese Adresse sendet (seine eigene oder eine seiner Identitäten), sendet sie. Ohne -f entscheidet die Adresse im From-Kopf; ohne From das Standardkonto. -F NAME: der Name im From, wenn die Nachricht keinen nennt. Zustelloptionen anderer Mailer (-o…, -B, -N, -R, -V, -X, -v, -U, -n, -Am, -Ac, -bm) werden angenommen und übergangen.
    
    Es wartet nie auf den Server: die Nachricht wird dauerhaft gespeichert, und ein Versand im Hintergrund stellt sie zu (er wird gestartet, wenn keiner läuft; siehe outpost run --background). outpost queue list zeigt, wie es steht.
    
    Rückgabewert (sysexits.h): 0 eingereiht; 64 falscher Aufruf oder kein Empfänger; 65 die Nachricht lässt sich nicht als Mail lesen; 67 kein Konto sendet als die Adresse des Absenders; 74 die Standardeingabe ließ sich nicht lesen; 75 der Postausgang konnte sie nicht speichern (später erneut versuchen); 78 die Konfiguration (Home-Ordner, Kontendatei) lässt sich nicht lesen.
cli-keep-days = { $days ->
    [one] 1 Tag
   *[other] { $days } Tage
}
cli-keep-forever = für immer
cli-stats-messages = { $count ->
    [one] Der Postausgang enthält 1 Nachricht ({ $states }).
   *[other] Der Postausgang enthält { $count } Nachrichten ({ $states }).
}
cli-stats-space = Von { $kept } ist der Text aufbewahrt: { $text }. Die Datei belegt { $file }, davon { $free } frei.
cli-stats-keep = Gesendete und abgebrochene Nachrichten behalten ihren Text { $keep } lang (outpost queue keep-text, oder { $path }).
cli-pruned = { $count ->
    [one] Der Text von 1 Nachricht wurde freigegeben ({ $size }); die Postausgangsdatei belegt nun { $file }.
   *[other] Der Text von { $count } Nachrichten wurde freigegeben ({ $size }); die Postausgangsdatei belegt nun { $file }.
}
cli-keep-set = Gesendete und abgebrochene Nachrichten behalten ihren Text nun { $keep } lang; { $count } haben ihren jetzt freigegeben ({ $size }).
cli-bad-number = Fehler: { $option } { $value } ist keine positive Zahl von Sekunden oder Tagen.
cli-serving = Gesendet wird, was im Postausgang liegt, und neue Nachrichten, sobald sie kommen; Strg+C beendet.
cli-account-paused = Konto angehalten: { $reason }
cli-to-be-sent-at = zu senden { $when } ({ $countdown })
cli-next-try-last = nächster Versuch { $when }{ $last }
cli-waiting-line = Wartend: Nr. { $id } an { $to } — { $why }
cli-sendmail = sendmail: { $text }
cli-sendmail-unreadable = die Nachricht lässt sich nicht lesen: { $error }
cli-no-from = (kein Absender und kein Standardkonto)
cli-no-sender = kein Outpost-Konto sendet als { $who }; fügen Sie eines hinzu mit: outpost account add

## src/cli/output.rs
cli-replace-advice = Fügen Sie es erneut mit --replace hinzu, um seine Einstellungen zu ersetzen.
cli-list-advice = „outpost account list“ zeigt die vorhandenen Konten.
cli-error =
    Fehler: { $problem }
      Was tun: { $advice }
cli-home-advice = Setzen Sie OUTPOST_HOME auf einen Ordner.

## src/usecases/account.rs
removed-cancelled =
    { $count ->
        [one] Eine wartende Nachricht verworfen; sie wird nicht gesendet.
       *[other] { $count } wartende Nachrichten verworfen; sie werden nicht gesendet.
    }
removed-kept =
    { $count ->
        [one] Eine wartende Nachricht behalten: Sie wird gesendet, sobald wieder ein Konto für { $email } hinzugefügt ist.
       *[other] { $count } wartende Nachrichten behalten: Sie werden gesendet, sobald wieder ein Konto für { $email } hinzugefügt ist.
    }
removed-waiting-unchanged = Seine wartenden Nachrichten ließen sich nicht ändern: { $problem } { $advice }
account-exists = ein Konto für { $email } gibt es schon
account-missing = es gibt kein Konto für { $email }
account-exists-problem = Ein Konto für { $email } gibt es schon.
account-exists-advice = Öffnen Sie stattdessen dieses Konto und ändern Sie seine Einstellungen.
account-missing-problem = Es gibt kein Konto für { $email }.
account-missing-advice = Die Kontenliste zeigt die vorhandenen Konten.

## src/usecases/certificate.rs
cert-not-encrypted = { $email } verbindet sich ohne Verschlüsselung (Sicherheit none): Es gibt kein Zertifikat
cert-mismatch = der Server zeigt den Schlüssel { $shown }, nicht { $given }
cert-not-encrypted-advice = Wählen Sie zuerst Sicherheit „tls“ oder „starttls“ für das Konto.
cert-not-trusted = Dem Zertifikat wurde nicht vertraut: Der Server zeigt den Schlüssel { $shown }, nicht { $given }.
cert-mismatch-advice = Prüfen Sie den Fingerabdruck auf dem Server selbst. Weicht der Schlüssel des Servers wirklich von dem erwarteten ab, hört vielleicht jemand die Verbindung ab: Machen Sie nicht weiter.

## src/usecases/check.rs
token-still-valid = das gespeicherte Token von { $issuer } ist noch gültig
token-renewed = bei { $issuer } erneuert
make-it-here = { $advice } { $headline } Erstellen Sie es hier: { $page }
step-failed-error = { $step }: { $error }

## src/usecases/draft.rs
enter-address = Geben Sie die Adresse ein, von der Sie senden.
enter-server = Geben Sie den Server ein, z. B. smtp.example.org.
port-range = Ein Port ist eine Zahl von 1 bis 65535 (465 oder 587).
signin-again-move = Melden Sie sich erneut an, um die Anmeldung in den anderen Schlüsselbund zu verschieben.
signin-first = Melden Sie sich zuerst beim Anbieter an.
password-again-move = Geben Sie das Passwort erneut ein, um es in den anderen Schlüsselbund zu verschieben.
enter-password = Geben Sie das Passwort ein.
confirm-settings = Prüfen Sie diese Einstellungen mit Ihrem Anbieter, und bestätigen Sie sie dann.
plaintext-warning = Ohne Verschlüsselung geht Ihr Passwort lesbar für jeden auf dem Weg durchs Netz. Wählen Sie TLS oder STARTTLS, oder bestätigen Sie unten.

## src/usecases/queue.rs
action-failed =
    Nachricht { $id } ließ sich nicht { $action ->
        [retry] erneut versuchen
        [cancel] abbrechen
       *[delete] löschen
    }: { $error }
action-retry-done = Nachricht Nr. { $id } wird jetzt versucht.
action-cancel-done = Nachricht Nr. { $id } abgebrochen; sie wird nicht gesendet.
action-delete-done = Nachricht Nr. { $id } gelöscht.
cannot-retry =
    Nachricht Nr. { $id } ist { $state ->
        [queued] wartend
        [sending] im Versand
        [retry] auf einen neuen Versuch wartend
        [sent] gesendet
        [failed] fehlgeschlagen
       *[cancelled] abgebrochen
    } und lässt sich nicht erneut versuchen.
cannot-retry-advice = Nur wartende oder fehlgeschlagene Nachrichten lassen sich erneut versuchen.
cancelled-already = Nachricht Nr. { $id } ist schon abgebrochen.
cancelled-already-advice = Sie wird nicht gesendet; es ist nichts mehr zu tun.
cannot-cancel = Nachricht Nr. { $id } lässt sich nicht mehr abbrechen.
cannot-cancel-advice = Sie wird gerade gesendet oder wurde schon gesendet.
cannot-delete = Nachricht Nr. { $id } lässt sich nicht löschen, während sie gesendet wird.
cannot-delete-advice = Warten Sie, bis dieser Versuch endet, und löschen Sie sie dann.

## src/runtime/outbox.rs
notify-recipient-refused = { $recipient } wurde abgelehnt: { $reply }
notify-not-delivered-id = Nachricht Nr. { $id } wurde nicht zugestellt
notify-sending-on = { $count ->
    [one] Outpost sendet die wartende Nachricht im Hintergrund
   *[other] Outpost sendet { $count } wartende Nachrichten im Hintergrund
}
notify-sending-on-body = Sie gehen hinaus, sobald es geht, auch ohne geöffnetes Fenster. Einstellungen → Senden schaltet das ab.
autostart-name = Outpost: wartende Mail senden
autostart-comment = Sendet nach der Anmeldung die Nachrichten, die in Outposts Postausgang warten, und endet dann
background-no-program = Outpost findet seine eigene Programmdatei nicht, um im Hintergrund zu senden: { $error }
background-not-started = Der Versand im Hintergrund ließ sich nicht starten: { $error }
background-advice = Die Nachricht bleibt im Postausgang. Sie geht hinaus, wenn Sie Outpost öffnen oder ausführen: outpost run --background
sender-window = Outposts Fenster (Prozess { $pid })
sender-background = Outpost im Hintergrund (Prozess { $pid })
sender-run = „outpost run“ (Prozess { $pid })
notify-not-delivered = „{ $subject }“ wurde nicht zugestellt

## src/runtime/signin.rs
client-saved = Client-ID für { $provider } gespeichert.

## src/runtime/worker.rs
sending-stopped = Das Senden wurde beendet: { $problem }
sending-stopped-advice = { $advice } Starten Sie Outpost neu; die eingereihten Nachrichten bleiben erhalten.

## src/account/explain.rs
ports = Einlieferungsserver nutzen Port 465 mit Sicherheit „tls“ oder 587 mit „starttls“.
verify-local = { $detail } (bei „{ $step }“).
verify-local-advice = Versuchen Sie es erneut; passiert es wieder, prüfen Sie die Netzwerkverbindung dieses Computers.
verify-refused = { $host } hat die Verbindung abgelehnt: Auf Port { $port } nimmt nichts Mail an.
verify-refused-advice = Der Port ist wahrscheinlich falsch. { ports }
verify-connect-timeout = { $host } hat auf Port { $port } nicht binnen { $seconds } Sekunden geantwortet: Die Verbindungsversuche wurden ohne jede Antwort verworfen, wahrscheinlich von einer Firewall ({ $tried }).
verify-connect-timeout-advice = Dieses Netz sperrt vielleicht Port { $port }: Versuchen Sie stattdessen { $other } oder ein anderes Netz. Ein falscher Servername kann ebenso aussehen.
verify-unreachable = { $host } ist auf Port { $port } nicht erreichbar ({ $detail }).
verify-unreachable-advice = Prüfen Sie, ob dieser Computer online ist und keine Firewall die Mail-Ports sperrt.
meaning-app-password = der Server will ein App-Passwort, nicht das Passwort Ihres Kontos
meaning-app-password-advice = Schalten Sie für Ihr Konto die Bestätigung in zwei Schritten ein, erstellen Sie in seinen Sicherheitseinstellungen ein App-Passwort, und geben Sie dieses statt Ihres Passworts ein.
meaning-bad-credentials = der Server hat Benutzername oder Passwort abgelehnt
meaning-bad-credentials-advice = Prüfen Sie beides. Viele Anbieter (Gmail, Yahoo, iCloud, Outlook.com) lehnen in Mail-Programmen das Passwort des Kontos ab: Erstellen Sie in den Sicherheitseinstellungen Ihres Kontos ein App-Passwort, oder melden Sie sich beim Anbieter an.
meaning-smtp-auth-disabled =
    die Anmeldung zum Senden (SMTP AUTH) ist für { $whose ->
        [organisation] Ihre Organisation
       *[mailbox] Ihr Postfach
    } von der Verwaltung abgeschaltet
meaning-smtp-auth-disabled-advice = Ihr Passwort ist nicht das Problem. Ihre Verwaltung muss SMTP AUTH für dieses Postfach erlauben (Microsoft 365: Exchange Admin Center → das Postfach → E-Mail-Apps verwalten → Authentifiziertes SMTP); oder melden Sie sich stattdessen bei Microsoft an.
meaning-too-many-bad-logins = der Anbieter sperrt Anmeldungen vorerst nach zu vielen Fehlversuchen
meaning-too-many-bad-logins-advice = Warten Sie etwa eine Stunde, bevor Sie es erneut versuchen, und prüfen Sie vorher das Passwort (ein App-Passwort, falls Ihr Anbieter eines verlangt): Jeder Fehlversuch verlängert die Sperre.
meaning-not-authenticated = der Server verlangt eine Anmeldung, bevor er Mail annimmt
meaning-not-authenticated-advice = Stellen Sie die Anmeldung des Kontos auf „Passwort“ (oder melden Sie sich beim Anbieter an), mit Sicherheit tls oder starttls.
meaning-sender-not-allowed = der Server lässt diese Anmeldung nicht von dieser Absenderadresse senden
meaning-sender-not-allowed-advice = Senden Sie von der Adresse, mit der Sie sich anmelden, oder lassen Sie die Adresse zuerst bei Ihrem Anbieter als Alias hinzufügen (eine Berechtigung „Senden als“).
meaning-network-blocked = der Server lehnt Mail von der Adresse dieses Netzes ab
meaning-network-blocked-advice = Senden Sie aus einem anderen Netz (kein VPN und keine geteilte Hosting-Adresse), oder bitten Sie Ihren Anbieter, die Sperre aufzuheben.
meaning-daily-limit = das Konto hat seine tägliche Sendegrenze erreicht
meaning-daily-limit-advice = Das Senden von diesem Konto wartet, bis die Grenze des Anbieters zurückgesetzt wird (etwa 24 Stunden); die Nachrichten bleiben im Postausgang.
meaning-rate-limited = der Server bittet, langsamer zu senden
meaning-rate-limited-advice = Outpost wartet länger, bevor es von diesem Konto erneut sendet.
meaning-too-many-recipients = der Server nimmt weniger Empfänger auf einmal an
meaning-too-many-recipients-advice = Outpost sendet die Nachricht in weiteren Runden an die übrigen.
meaning-too-large = die Nachricht ist größer, als der Server annimmt
meaning-too-large-advice = Senden Sie große Dateien als Link, oder verteilen Sie die Anhänge auf mehrere Nachrichten.
meaning-unauthenticated = die Nachricht wurde als nicht authentifiziert für die Domain ihres Absenders abgelehnt
meaning-unauthenticated-advice = Senden Sie über den Server der Domain Ihrer Absenderadresse, oder senden Sie von einer Adresse dieses Kontos.
meaning-relay-denied = der Server leitet für diese Verbindung keine Mail weiter
meaning-relay-denied-advice = Melden Sie sich an (Anmeldung „Passwort“ oder Anmeldedienst), und nutzen Sie den Einlieferungsserver Ihres Anbieters auf Port 465 oder 587.
meaning-other = der Server hat abgelehnt
meaning-other-advice = Die Worte des Servers oben sagen, warum; der Kundendienst Ihres Anbieters kann helfen.
-cert-own-server = Ist es Ihr eigener Server, vergleichen Sie den SHA-256 seines Schlüssels (beim Zertifikat angezeigt) mit dem, den der Server selbst nennt, und vertrauen Sie dann diesem Zertifikat für dieses Konto.
cert-wrong-name-advice = Ist { $names } der Server Ihres Anbieters, tragen Sie diesen Namen als Server ein. Andernfalls hört vielleicht jemand die Verbindung ab: Machen Sie nicht weiter.
cert-wrong-name-unknown-advice = Der Servername ist vielleicht falsch; andernfalls hört jemand die Verbindung ab: Machen Sie nicht weiter.
cert-expired-advice = Die Verwaltung des Servers muss das Zertifikat erneuern. Prüfen Sie auch, ob Datum und Uhrzeit dieses Computers stimmen.
cert-not-yet-valid-advice = Prüfen Sie, ob Datum und Uhrzeit dieses Computers stimmen.
cert-unknown-issuer-advice = Das Zertifikat ist selbst signiert oder von einer Stelle, der dieser Computer nicht vertraut. Betreibt Ihre Organisation eine eigene Zertifizierungsstelle, installieren Sie deren Zertifikat (oder nennen Sie es in SSL_CERT_FILE). { -cert-own-server } Andernfalls hört vielleicht jemand die Verbindung ab: Machen Sie nicht weiter.
cert-revoked-advice = Der Aussteller hat das Zertifikat zurückgezogen: Machen Sie nicht weiter, und benachrichtigen Sie die Verwaltung des Servers.
cert-self-signed-advice = Ein selbst signiertes Zertifikat beweist für sich nichts: Jeder kann eines erstellen. { -cert-own-server } Andernfalls bitten Sie die Verwaltung des Servers um ein Zertifikat einer Zertifizierungsstelle (Let's Encrypt ist kostenlos).
cert-wrong-purpose-advice = Die Verwaltung des Servers muss ein für Server ausgestelltes Zertifikat installieren. Machen Sie nicht weiter.
cert-unacceptable-advice = Machen Sie nicht weiter; benachrichtigen Sie die Verwaltung des Servers.
cert-changed-advice = Es wurde nichts gesendet, nicht einmal die Anmeldung. Wurde das Zertifikat des Servers absichtlich ersetzt, vergleichen Sie den SHA-256 des neuen Schlüssels mit dem des Servers und vertrauen Sie dem neuen Zertifikat für dieses Konto. Andernfalls hört vielleicht jemand die Verbindung ab: Machen Sie nicht weiter.
verify-tls-failed = Die verschlüsselte Verbindung ließ sich nicht aufbauen ({ $detail }).
verify-tls-failed-advice = Der Server erwartet auf diesem Port vielleicht kein TLS von Beginn an, oder er spricht nur TLS älter als 1.2, das Outpost als nicht mehr sicher ablehnt. { ports } Es wurde nichts gesendet.
verify-no-starttls = Der Server hat keine Verschlüsselung (STARTTLS) angeboten; vielleicht entfernt jemand das Angebot.
verify-no-starttls-advice = Es wurde nichts gesendet. Versuchen Sie Sicherheit „tls“ auf Port 465. Hat dieser Server wirklich keine Verschlüsselung, fragen Sie Ihren Anbieter nach einem, der sie hat; senden Sie kein Passwort darüber.
verify-starttls-refused = Der Server hat den Beginn der Verschlüsselung abgelehnt: { $reply }.
verify-starttls-refused-advice = Es wurde nichts gesendet. Versuchen Sie Sicherheit „tls“ auf Port 465, oder versuchen Sie es später erneut.
verify-starttls-injection = Der Server hat vor Beginn der Verschlüsselung Daten gesendet, was ein echter Server nie tut; vielleicht manipuliert jemand die Verbindung.
verify-starttls-injection-advice = Es wurde nichts gesendet. Versuchen Sie ein anderes Netz oder Sicherheit „tls“ auf Port 465.
verify-login-silent = Der Server hat auf die Anmeldung nicht geantwortet ({ $seconds } Sekunden gewartet).
verify-login-silent-advice = Manche Server schweigen, statt ein falsches Passwort abzulehnen. Prüfen Sie das Passwort (oder das App-Passwort, falls Ihr Anbieter eines verlangt), und prüfen Sie dann erneut.
verify-timeout = Der Server hat bei „{ $step }“ aufgehört zu antworten ({ $seconds } Sekunden gewartet).
verify-timeout-greeting-advice = Der Port erwartet vielleicht TLS ab dem ersten Byte: Versuchen Sie Sicherheit „tls“. { ports }
verify-timeout-advice = Der Server ist vielleicht überlastet, oder eine Firewall stört. Versuchen Sie es später oder mit einem anderen Port.
verify-closed = Der Server hat die Verbindung bei „{ $step }“ geschlossen.
verify-closed-advice = Er lehnt vielleicht Verbindungen aus diesem Netz ab oder erwartet auf diesem Port eine andere Sicherheitseinstellung. Versuchen Sie es später oder mit einem anderen Port.
verify-protocol = Die Antwort bei „{ $step }“ ist kein SMTP ({ $detail }).
verify-protocol-advice = Prüfen Sie Servername und Port: Das ist vielleicht kein Mailserver, oder er erwartet TLS ab dem ersten Byte. { ports }
verify-rejected = Der Server hat „{ $step }“ abgelehnt: { $reply }.
temporary-advice = Der Server sagt, das sei vorübergehend: Versuchen Sie es in ein paar Minuten erneut.
verify-no-auth = Der Server bietet auf dieser Verbindung keine Anmeldung an.
verify-no-auth-advice = Das ist vielleicht ein Server für Mail zwischen Servern (Port 25), oder er bietet die Anmeldung nur verschlüsselt an. Nutzen Sie den Einlieferungsserver Ihres Anbieters. { ports } Nimmt dieser Server Mail aus Ihrem Netz ohne Anmeldung an, stellen Sie die Anmeldung auf „keine“.
verify-no-mechanism = Der Server bietet nur Anmeldeverfahren an, die Outpost nicht beherrscht: { $offered }.
verify-no-mechanism-advice = Outpost meldet sich mit PLAIN, LOGIN oder XOAUTH2 (OAuth2) an. Fragen Sie Ihren Anbieter, ob ein anderer Server oder Port eines davon anbietet.
verify-plaintext-refused = Outpost hat Ihr Passwort nicht gesendet: Die Verbindung ist nicht verschlüsselt.
verify-plaintext-refused-advice = Wählen Sie Sicherheit „tls“ oder „starttls“. Nur für einen Server in einem Netz, dem Sie vertrauen, bestätigen Sie in den Kontoeinstellungen das unverschlüsselte Senden des Passworts.
verify-no-secret = Für dieses Konto ist kein Passwort und kein Token gespeichert.
verify-no-secret-advice = Geben Sie das Passwort im Kontoformular ein, oder fügen Sie das Konto mit --password-stdin erneut hinzu.
verify-auth-failed = Der Server hat die Anmeldung abgelehnt: { $reply }.
verify-encryption-required = Der Server verlangt vor der Anmeldung Verschlüsselung: { $reply }.
verify-encryption-required-advice = Wählen Sie eine verschlüsselte Verbindung. { ports }
secret-no-service = Es läuft kein Schlüsselbund-Dienst ({ $detail }).
secret-no-service-advice = Starten Sie den Schlüsselbund Ihres Desktops (GNOME Schlüsselbund oder KWallet) und versuchen Sie es erneut. Oder behalten Sie das Passwort nur für diese Sitzung im Kernel-Schlüsselbund, vergessen beim Abmelden oder Neustart: Wählen Sie im Fenster „Nur für diese Sitzung“, oder geben Sie --session-keyring an. Outpost schreibt Passwörter nie in eine Datei.
secret-locked = Der Schlüsselbund ist gesperrt oder hat den Zugriff verweigert ({ $detail }).
secret-locked-advice = Entsperren Sie Ihren Schlüsselbund (am Desktop anmelden oder „Passwörter und Verschlüsselung“ öffnen) und versuchen Sie es erneut.
secret-not-found = Für dieses Konto ist kein Passwort gespeichert (in: { $backend }).
secret-not-found-session-advice = Der Sitzungsschlüsselbund vergisst beim Abmelden und Neustart: Geben Sie das Passwort erneut ein (Konto bearbeiten, oder es mit --password-stdin erneut hinzufügen).
secret-not-found-system-advice = Geben Sie das Passwort erneut ein: Bearbeiten Sie das Konto im Fenster, oder fügen Sie es mit --password-stdin erneut hinzu.
secret-not-found-goa-advice = Prüfen Sie das Konto in den GNOME-Einstellungen → Online-Konten.
secret-unsupported = „{ $backend }“ gibt es auf diesem System nicht.
secret-unsupported-advice = Nutzen Sie stattdessen den Schlüsselbund des Systems.
secret-platform = Der Schlüsselbund ist gescheitert ({ $detail }).
secret-platform-advice = Versuchen Sie es erneut; scheitert es weiter, starten Sie den Schlüsselbund-Dienst neu oder melden Sie sich erneut an.
secret-goa-gone = Das Konto wurde aus GNOME Online-Konten entfernt, das sein Passwort verwahrte.
secret-goa-gone-advice = Fügen Sie es in den GNOME-Einstellungen → Online-Konten erneut hinzu, oder geben Sie diesem Konto ein eigenes Passwort (im Fenster bearbeiten).
secret-goa-attention = GNOME Online-Konten verlangt eine erneute Anmeldung ({ $detail }).
secret-goa-attention-advice = Melden Sie sich in den GNOME-Einstellungen → Online-Konten erneut an; die wartenden Nachrichten werden danach gesendet.
store-io = { $path } ließ sich nicht { $action ->
        [read] lesen
        [open] öffnen
        [lock] sperren
        [create] anlegen
       *[write] schreiben
    } ({ $error }).
store-io-advice = Prüfen Sie, ob der Ordner existiert, Sie hineinschreiben dürfen und die Festplatte nicht voll ist.
store-corrupt = Die Kontendatei { $path } ist beschädigt ({ $detail }).
store-corrupt-advice = Outpost hat sie unverändert gelassen. Reparieren Sie sie in einem Texteditor, oder verschieben Sie sie, um ohne Konten neu zu beginnen (Ihre Passwörter bleiben im Schlüsselbund).
store-too-new = Die Kontendatei { $path } stammt von einem neueren Outpost (Format { $found }).
store-too-new-advice = Outpost hat sie unverändert gelassen. Aktualisieren Sie Outpost, oder verschieben Sie die Datei, um ohne Konten neu zu beginnen.
invalid-email-advice = Schreiben Sie die Adresse als name@example.org.
invalid-name-advice = Entfernen Sie den Zeilenumbruch oder das Steuerzeichen.
invalid-host-advice = Schreiben Sie den Server als smtp.example.org oder als IP-Adresse.
invalid-proxy-advice = Schreiben Sie den Proxy als socks5h://host:port (Tor: socks5h://127.0.0.1:9050), oder lassen Sie das Feld leer.
invalid-plaintext-advice = Wählen Sie Sicherheit „tls“ oder „starttls“. Nur für einen Server in einem Netz, dem Sie vertrauen, bestätigen Sie das unverschlüsselte Senden des Passworts (--allow-plaintext-password).

## src/account/model.rs
security-tls = TLS (implizit)
security-none = Keine (unverschlüsselt)
security-none-short = ohne Verschlüsselung
auth-oauth2 = Beim Anbieter anmelden (OAuth2)
auth-none = Keine Anmeldung
not-one-of =
    „{ $text }“ ist { $what ->
        [security] keine Sicherheitsart
       *[login] kein Anmeldeverfahren
    }; nutzen Sie eines von: { $names }
invalid-email = „{ $text }“ ist keine E-Mail-Adresse; schreiben Sie sie als name@example.org
invalid-display-name = der Name darf keine Zeilenumbrüche oder Steuerzeichen enthalten
invalid-host = „{ $text }“ ist kein Servername; schreiben Sie ihn als smtp.example.org oder als IP-Adresse
invalid-port = Port 0 ist kein Port; Einlieferungsserver nutzen 465 (TLS) oder 587 (STARTTLS)
invalid-username = der Benutzername darf keine Zeilenumbrüche oder Steuerzeichen enthalten
invalid-plaintext = Sicherheit „none“ würde Ihr Passwort unverschlüsselt senden; wählen Sie tls oder starttls, oder bestätigen Sie, dass dieser Server in einem Netz ist, dem Sie vertrauen

## src/account/secrets.rs
backend-system = Schlüsselbund des Systems
backend-session = Sitzungsschlüsselbund (bis zum Neustart)
backend-goa = GNOME Online-Konten
secret-error-no-service = es läuft kein Schlüsselbund-Dienst ({ $detail })
secret-error-locked = der Schlüsselbund ist gesperrt oder hat den Zugriff verweigert ({ $detail })
secret-error-not-found = für dieses Konto ist kein Geheimnis gespeichert (in: { $backend })
secret-error-unsupported = „{ $backend }“ ist auf dieser Plattform nicht verfügbar
secret-error-platform = der Schlüsselbund ist gescheitert ({ $detail })
secret-error-goa-gone = das Konto { $id } in GNOME Online-Konten wurde entfernt
secret-error-goa-attention = GNOME Online-Konten verlangt eine erneute Anmeldung ({ $detail })
secret-not-text = das gespeicherte Geheimnis ist kein gültiger Text
secret-malformed = das gespeicherte Geheimnis ist fehlerhaft: { $error }
kernel-access = der Kernel-Schlüsselbund hat den Zugriff verweigert
kernel-failed =
    der Kernel-Schlüsselbund { $what ->
        [full] ist voll: Ihr Schlüsselkontingent ist aufgebraucht
        [memory] hat keinen Speicher mehr
        [no-keyring] hat keinen Sitzungsschlüsselbund für diese Anmeldung
        [rejected] hat den Schlüssel abgelehnt
        [permission] hat die Berechtigung verweigert
        [unsupported] unterstützt das hier nicht
        [missing] hat den Schlüssel nicht gefunden
       *[request] hat die Anfrage abgelehnt
    }
kernel-errno = der Kernel-Schlüsselbund ist gescheitert: { $error }
no-system-keyring = auf dieser Plattform gibt es keinen Schlüsselbund des Systems

## src/account/store.rs
store-error-io =
    { $path } ließ sich nicht { $action ->
        [read] lesen
        [open] öffnen
        [lock] sperren
        [create] anlegen
       *[write] schreiben
    }: { $error }
store-error-corrupt = die Kontendatei { $path } ist beschädigt ({ $detail }); sie wurde nicht verändert
store-error-too-new = die Kontendatei { $path } stammt von einem neueren Outpost (Format { $found }, dieses kennt { $supported }); sie wurde nicht verändert
store-no-version = keine Formatversion

## src/account/verify.rs
step-token = Anmelde-Token
step-resolve = Server finden
step-connect = Verbinden
step-tls = Verbindung verschlüsseln
step-greeting = Begrüßung des Servers
step-ehlo = Fähigkeiten des Servers prüfen
step-starttls = Auf Verschlüsselung umschalten
step-auth = Anmelden
step-quit = Verabschieden
verify-error-refused = { $host } hat die Verbindung auf Port { $port } abgelehnt (bei { $ip })
verify-error-connect-timeout = keine Antwort von { $host } auf Port { $port } binnen { $seconds } s ({ $tried })
verify-error-unreachable = { $host } ist auf Port { $port } nicht erreichbar: { $detail }
verify-error-tls = der TLS-Handshake ist fehlgeschlagen: { $detail }
verify-error-no-starttls = der Server hat keine Verschlüsselung (STARTTLS) angeboten
verify-error-starttls-refused = der Server hat STARTTLS abgelehnt: { $reply }
verify-error-injection = der Server hat vor dem TLS-Handshake Daten gesendet
verify-error-timeout = keine Antwort bei „{ $step }“ binnen { $seconds } s
verify-error-closed = der Server hat die Verbindung bei „{ $step }“ geschlossen
verify-error-protocol = die Antwort des Servers bei „{ $step }“ ist kein SMTP: { $detail }
verify-error-rejected = der Server hat „{ $step }“ abgelehnt: { $reply }
verify-error-no-auth = der Server bietet auf dieser Verbindung keine Anmeldung (AUTH) an
verify-error-mechanisms = der Server bietet nur diese Anmeldeverfahren an: { $offered }
verify-error-plaintext = die Verbindung ist nicht verschlüsselt, daher wurde das Passwort nicht gesendet
verify-error-no-secret = für dieses Konto ist kein Passwort und kein Token gespeichert
verify-error-auth = der Server hat die Anmeldung abgelehnt: { $reply }
verify-error-encryption-required = der Server verlangt zuerst Verschlüsselung: { $reply }
tls-pinned-although = { $version }, das für dieses Konto vertraute Zertifikat (Schlüssel { $key }), obwohl { $why }
tls-pinned = { $version }, das für dieses Konto vertraute Zertifikat (Schlüssel { $key })
tls-valid-for = { $version }, Zertifikat gültig für { $host }
connection-error-during = Verbindungsfehler bei „{ $step }“: { $error }
overlong-reply = überlange Antwort
closed-in-handshake = der Server hat die Verbindung während des Handshakes geschlossen
size-no-limit = SIZE (keine Grenze angegeben)
no-extensions = keine Erweiterungen
closed-by-server = Verbindung vom Server geschlossen
resolve-by-proxy = { $host } wird vom Proxy { $proxy } aufgelöst
resolve-is-address = { $host } ist eine Adresse: nichts nachzuschlagen
resolve-more = { $host } liegt bei { $shown } und { $more } weiteren
resolve-at = { $host } liegt bei { $shown }
logged-in-as = angemeldet als { $user } mit { $mechanism }

## src/detect/autoconfig.rs
warn-http = über unverschlüsseltes HTTP erfahren, wo jeder auf dem Weg es ändern kann
no-smtp-in-it = { $url }: kein SMTP-Server darin

## src/detect/autodiscover.rs
xml-too-deep = das Dokument ist zu tief verschachtelt
autodiscover-too-large = die Antwort ist zu groß
autodiscover-malformed = kein wohlgeformtes XML: { $error }
autodiscover-not = keine Autodiscover-Antwort

## src/detect/config_xml.rs
xml-too-large = das Dokument ist größer als { $bytes } Bytes
xml-malformed = das Dokument ist kein wohlgeformtes XML: { $error }
xml-not-client-config = das Dokument ist keine Autoconfig-clientConfig (Wurzelelement <{ $root }>)
xml-bad-hostname = ungültiger Hostname { $text }
xml-bad-port = ungültiger Port { $text } für { $host }
xml-bad-socket = unbekannter socketType { $text } für { $host }
xml-unknown-entity = unbekannte Entität &{ $name };
xml-ends-inside = das Dokument endet innerhalb von <{ $path }>

## src/detect/explain.rs
detect-nothing-advice = Die Hilfeseiten Ihres Anbieters nennen seinen SMTP-Server (oft smtp.{ $domain }, Port 465 oder 587). Geben Sie ihn von Hand ein.
detect-blocked-advice = Dieses Netz scheint Mail-Ports zu sperren (manche Hotels, Schulen und Firmen tun das). Versuchen Sie ein anderes Netz, oder fragen Sie Ihren Anbieter nach seinem Server und geben Sie ihn von Hand ein.
detect-dns-advice = Prüfen Sie, ob dieser Computer online ist; in einem Hotel- oder Zug-WLAN melden Sie sich zuerst auf dessen Seite an. Sie können den Server auch von Hand eingeben.

## src/detect/facts.rs
login-app-password = App-Passwort
login-authorization-code = Autorisierungscode
login-email-password = E-Mail-Passwort
switch-on-first = Schalten Sie zuerst { $what } ein.
needs-app-password = { $provider } verlangt ein App-Passwort: Das Passwort Ihres Kontos funktioniert in Mail-Programmen nicht.
needs-authorization-code = { $provider } verlangt statt Ihres Passworts einen Autorisierungscode.
needs-email-password = { $provider } verlangt sein eigenes E-Mail-Passwort, nicht Ihre Kundenanmeldung.
oauth-only = { $provider } nimmt von Mail-Programmen nur die eigene Anmeldung an: Kein Passwort funktioniert, nicht einmal ein App-Passwort.
needs-access-first = Bei { $provider } muss zuerst der Zugang für Mail-Programme eingeschaltet werden.
needs-on-first = Dazu muss zuerst { $requires } eingeschaltet sein{ $place }.
guidance-open = Öffnen: { $page }
facts-error = die Anbieterangaben lassen sich nicht lesen: { $error }

## src/detect/guess.rs
probe-no-answer = keine rechtzeitige Antwort
probe-greeting = Begrüßung { $reply }
probe-no-starttls = kein STARTTLS angeboten
probes-silent = alle { $count } Proben blieben unbeantwortet: Dieses Netz sperrt vielleicht Mail-Ports
probes-nothing = keine der { $count } Proben hat einen Mailserver gefunden

## src/detect/mod.rs
not-in-builtin = { $domain } steht nicht in der eingebauten Liste
dns-around-proxy = nicht gefragt: DNS-Abfragen würden am Proxy { $proxy } vorbeigehen
warn-unauthenticated = diese Einstellungen stammen aus einer nicht authentifizierten Quelle ({ $source }): Bestätigen Sie sie vor der Nutzung
warn-no-encryption = dieser Server bietet keine Verschlüsselung: Ein Passwort ginge lesbar durchs Netz
warn-disagree = die Quellen widersprechen sich: { $first } sagt { $first_says }, { $second } sagt { $second_says }

## src/detect/model.rs
source-known = Ihr Konto bei dieser Domain
source-builtin = Eingebaute Anbieterliste
better-match = Ein besserer Treffer ist eingetroffen: { $origin } nennt { $settings }.
better-match-use = Übernehmen
source-autoconfig = Autoconfig des Anbieters (HTTPS)
source-pacc = PACC-Konfiguration des Anbieters
pacc-not-json = Das Dokument ist kein gültiges JSON: { $error }
pacc-digest-differs = { $url } passt nicht zur Prüfsumme unter { $name }: Es wurde unterwegs verändert oder ist veraltet und wurde deshalb nicht verwendet
pacc-no-digest = { $url } ist nicht bestätigt: { $name } enthält keine UAAC1-Prüfsumme, deshalb wurde das Dokument nicht verwendet
source-wellknown = Well-known-Autoconfig der Domain
source-ispdb = Thunderbirds Online-Datenbank
source-srv = DNS-Diensteinträge (SRV)
source-mx = Mail-Exchanger (MX)
source-autodiscover = Microsoft Autodiscover
source-guess = Wahrscheinliche Server ausprobieren
source-http = Autoconfig über unverschlüsseltes HTTP
origin-signed = { $source }, signiert (DNSSEC)
origin-provider = { $source } ({ $provider })
describe-settings = { $host }:{ $port } mit { $security }
outcome-servers =
    { $count ->
        [one] 1 Server
       *[other] { $count } Server
    }

## src/detect/mx.rs
no-mx = { $domain } hat keinen MX
mx-belongs = die Mail von { $domain } wickelt { $mx } ab, das zu { $provider } gehört
mx-ispdb = die Mail von { $domain } wickelt { $mx } ab; Thunderbirds Datenbank kennt { $name }
mx-own-signed = Die Mails von { $domain } verarbeitet { $mx }, wie sein signierter (DNSSEC) MX-Eintrag sagt; diese Einstellungen stammen aus der eigenen Autoconfig von { $name }
srv-outside = Der SRV-Eintrag von { $domain } zeigt auf { $target }, außerhalb von { $domain }, und ist nicht signiert (DNSSEC); DNS-Antworten können gefälscht sein
mx-own = die Mail von { $domain } wickelt { $mx } ab; diese Einstellungen stammen aus der eigenen Autoconfig von { $name }, für die { $domain } nicht bürgt
mx-unknown = der MX-Host { $mx } ist kein bekannter Anbieter

## src/detect/srv.rs
srv-declined = { $domain } erklärt, dass es keinen Einlieferungsdienst anbietet
srv-none = keine SRV-Einträge für { $domain }

## src/detect/target.rs
detect-bad-address = „{ $input }“ ist keine E-Mail-Adresse: { $reason }
detect-nothing = für { $domain } wurden keine Einstellungen gefunden
detect-blocked = kein Mailserver bei { $domain } hat auf den Ports 465, 587 oder 25 geantwortet
detect-dns = das DNS hat für { $domain } nicht geantwortet

## src/message/compose.rs
message-bad-address =
    { $field ->
        [To] An
        [Cc] Kopie (Cc)
        [Bcc] Blindkopie (Bcc)
        [From] Von
        [Reply-To] Antwort an
       *[other] { $field }
    }: „{ $input }“ ist keine E-Mail-Adresse
message-no-recipient = die Nachricht hat keinen Empfänger
message-line-break =
    { $field ->
        [From] Der Absender
        [Subject] Der Betreff
       *[other] { $field }
    } darf keinen Zeilenumbruch enthalten
message-attachment = der Anhang { $path } lässt sich nicht lesen: { $reason }
message-build = die Nachricht ließ sich nicht erstellen: { $error }
message-text-unencodable = der Text ließ sich nicht kodieren
message-too-large = die Nachricht wäre { $size } Bytes groß, mehr als die { $limit } Bytes, die Outpost sendet
not-a-file = es ist keine Datei

## src/message/explain.rs
message-bad-address-advice = Schreiben Sie Adressen als name@example.org oder Name <name@example.org>.
message-no-recipient-advice = Fügen Sie mindestens einen Empfänger hinzu (An, Kopie oder Blindkopie).
message-line-break-advice = Entfernen Sie den Zeilenumbruch.
message-attachment-advice = Prüfen Sie, ob die Datei existiert und Sie sie lesen dürfen.
message-too-large-advice = Senden Sie weniger oder kleinere Anhänge, oder teilen Sie große Dateien per Link.
message-build-advice = Prüfen Sie die Adressen und versuchen Sie es erneut.

## src/message/reopen.rs
cannot-read-back = die eingereihte Nachricht lässt sich nicht zurücklesen

## src/mailto.rs
mailto-not = „{ $text }“ ist kein mailto:-Link
mailto-encoding = der mailto:-Link hat eine fehlerhafte %-Kodierung bei „{ $text }“
mailto-advice = Schreiben Sie die Nachricht von Hand, oder bitten Sie, wer den Link erstellt hat, ihn zu korrigieren.

## src/oauth/config.rs
config-io =
    { $path } ließ sich nicht { $action ->
        [read] lesen
       *[write] schreiben
    }: { $error }
config-not-valid = keine gültigen Anmeldeeinstellungen: { $error }

## src/oauth/error.rs
oauth-no-issuer = Outpost kennt keine OAuth2-Anmeldung für { $host }
oauth-no-client-id = für { $provider } ist keine OAuth2-Client-ID festgelegt
oauth-not-an-issuer = „{ $issuer }“ ist kein Anmeldedienst: Ein Anmeldedienst muss eine https://-Adresse sein
oauth-metadata = Wie { $issuer } Mail-Programme anmeldet, konnte nicht gelesen werden: { $detail }
oauth-issuer-mismatch = Die Antwort der Anmeldung kam von „{ $found }“, nicht von { $expected }, wo Sie sich angemeldet haben. Outpost hat sie nicht verwendet: Eine andere Seite versucht möglicherweise, die Anmeldung zu übernehmen
oauth-issuer-mismatch-advice = Melden Sie sich erneut an. Wenn das wieder passiert, sagen Sie es Ihrem Anbieter: Sein Anmeldedienst nennt sich falsch
oauth-registration-refused = { $issuer } hat Outpost nicht als Mail-Programm registriert: { $error }{ $description }
oauth-registration-advice = Versuchen Sie es später noch einmal; wenn es weiter scheitert, bitten Sie Ihren Anbieter, die Registrierung von Mail-Programmen zu erlauben (OAuth Dynamic Client Registration). { $instead }
oauth-no-client-id-given = Die Antwort enthält keine Client-ID
oauth-registration-http = Der Server antwortete mit HTTP-Status { $status } ohne Erklärung
oauth-endpoint-not-https = { $url } ist keine https://-Adresse; Anmeldeadressen müssen verschlüsselt sein
oauth-no-pkce = Er bietet kein PKCE mit S256 an, das Outpost für eine sichere Anmeldung braucht
oauth-listen = auf 127.0.0.1 ließ sich nicht auf den Browser lauschen: { $error }
oauth-denied = der Anbieter hat Sie nicht angemeldet: { $error }{ $description }
oauth-timeout = keine Antwort vom Browser binnen { $minutes } Minuten
oauth-refused = der Anbieter hat die Token-Anfrage abgelehnt: { $error }{ $description }
oauth-sign-in-again = die Anmeldung ist abgelaufen und lässt sich ohne Sie nicht erneuern
oauth-unavailable = der Token-Dienst des Anbieters ist gescheitert (HTTP { $status })
oauth-bad-response = die Antwort des Anbieters ist nicht verwendbar: { $detail }
oauth-http = der Token-Dienst des Anbieters ist nicht erreichbar: { $error }
password-fallback = Oder melden Sie sich stattdessen mit einem Passwort an: Viele Anbieter nehmen ein App-Passwort an (Google und Yahoo: erstellen Sie eines in den Sicherheitseinstellungen des Kontos, bei eingeschalteter Bestätigung in zwei Schritten), mit dem Anmeldeverfahren „Passwort“.
register-desktop-app = Registrieren Sie Outpost als Desktop-App bei { $provider }
register-desktop-app-at = Registrieren Sie Outpost als Desktop-App bei { $provider } unter { $url }
microsoft-no-password = Outlook.com und Hotmail nehmen von Mail-Programmen kein Passwort an, nicht einmal ein App-Passwort; ein Postfach von Microsoft 365 vielleicht, wenn seine Verwaltung SMTP AUTH erlaubt (Anmeldeverfahren „Passwort“).
no-client-id = Die Anmeldung bei { $provider } braucht eine OAuth2-Client-ID, und keine ist festgelegt.
no-client-id-advice = { $register } (Weiterleitungsadresse http://127.0.0.1, beliebiger Port), und tragen Sie dann ihre Client-ID unter „Anmeldedienste“ auf der Seite „Einstellungen“ ein, oder führen Sie „outpost oauth2 set { $id } --client-id ID [--client-secret GEHEIMNIS]“ aus. { $instead }
no-issuer-advice = Fügen Sie die Endpunkte des Anbieters mit „outpost oauth2 set NAME --host { $host } --auth-url … --token-url … --scope … --client-id …“ hinzu, oder nutzen Sie ein Passwort.
denied-access = Sie haben Outpost im Browser nicht erlaubt, Mail zu senden.
denied-access-advice = Melden Sie sich erneut an, und erlauben Sie den Zugriff. { password-fallback }
oauth-timeout-advice = Melden Sie sich erneut an; hat sich kein Browser geöffnet, öffnen Sie die Adresse, die Outpost zeigt, selbst.
signin-invalid = Die Anmeldung ist nicht mehr gültig: { $error }.
signin-invalid-advice = Melden Sie sich erneut an (im Fenster: das Konto öffnen und „Erneut anmelden“ drücken; in der Befehlszeile: „outpost account signin ADRESSE“). Nachrichten warten so lange und werden danach gesendet.
client-refused-advice = Prüfen Sie Client-ID und Geheimnis unter „Anmeldedienste“ auf der Seite „Einstellungen“.
oauth-transient-advice = Outpost versucht es von selbst erneut; prüfen Sie, ob dieser Computer online ist.
oauth-config-advice = Korrigieren Sie die Datei, oder entfernen Sie den Anbieter daraus.
oauth-other-advice = Versuchen Sie erneut, sich anzumelden. { password-fallback }

## src/oauth/issuers.rs
provider-needs = der Anbieter „{ $id }“ steht nicht in Outposts Tabelle, daher braucht er auch { $what }
provider-no-hosts = der Anbieter „{ $id }“ nennt keine SMTP-Hosts („hosts“)

## src/oauth/redirect.rs
browser-signed-in = Angemeldet
browser-signed-in-text = { $provider } hat Sie bei Outpost angemeldet. Sie können diesen Tab schließen und zu Outpost zurückkehren.
browser-not-signed-in = Nicht angemeldet
browser-not-signed-in-text = { $provider } hat Sie nicht angemeldet ({ $error }). Kehren Sie zu Outpost zurück, um es erneut zu versuchen oder stattdessen ein Passwort zu nutzen.
browser-not-for-outpost = Nicht für Outpost
browser-ignored = Diese Anfrage wurde übergangen: { $why }.

## src/oauth/token.rs
token-not-json = die Token-Antwort ist kein gültiges JSON: { $error }
token-not-bearer = der Token-Typ ist „{ $kind }“, nicht Bearer
token-empty = das Zugriffs-Token ist leer
token-http = HTTP { $status } ohne OAuth2-Fehler

## src/outbox/explain.rs
outbox-db-advice = Prüfen Sie den freien Speicherplatz und die Rechte des Ordners. Outpost hat nichts verändert; die schon eingereihten Nachrichten bleiben erhalten.
outbox-too-new-advice = Aktualisieren Sie Outpost; die eingereihten Nachrichten bleiben erhalten.
outbox-damaged-advice = Um mit einem leeren Postausgang zu beginnen, legen Sie die Datei beiseite (benennen Sie sie zum Beispiel in outbox-damaged.sqlite um); Outpost legt dann eine neue an. Die Nachrichten der alten Datei lassen sich vielleicht mit dem Befehl .recover von sqlite3 retten.
outbox-error-unreadable = der Postausgang { $path } enthält etwas, das dieses Outpost nicht lesen kann: { $error }
outbox-unreadable = Nachricht Nr. { $id } hat einen Wert für „{ $what }“, den dieses Outpost nicht kennt: „{ $found }“
outbox-unreadable-row = der Postausgang hat einen Wert für „{ $what }“, den dieses Outpost nicht kennt: „{ $found }“
outbox-unreadable-advice = Es wurde nichts verändert. Hat ein neueres Outpost den Postausgang geschrieben, oder wurde er von Hand geändert? Verwenden Sie das Outpost, das ihn geschrieben hat, oder legen Sie die Datei beiseite (benennen Sie sie in outbox-unreadable.sqlite um), um mit einem leeren Postausgang zu beginnen; ihre Nachrichten bleiben in der Datei.
outbox-not-found-advice = „outpost queue list“ zeigt die vorhandenen Nachrichten.
outbox-body-gone-advice = Empfänger und Verlauf sind noch da. Gesendete Nachrichten behalten ihren Text so lange, wie Einstellungen → Senden sagt (oder: outpost queue keep-text --days N).
retention-unreadable-advice = Schreiben Sie es als keep_sent_text_days = 30 (eine Zahl von Tagen oder "forever"), oder löschen Sie die Datei für die Vorgabe von 30 Tagen. Bis dahin wird jeder Text aufbewahrt.
retention-unwritable-advice = Prüfen Sie, ob der Konfigurationsordner Ihnen gehört und die Platte nicht voll ist, und versuchen Sie es erneut.
outbox-sending-advice = Warten Sie, bis dieser Versuch endet, und versuchen Sie es dann erneut.
outbox-sent-advice = Sie wurde schon zugestellt; es ist nichts mehr zu tun.
outbox-cancelled-advice = Sie wird nicht gesendet; „Bearbeiten und erneut senden“ sendet sie doch noch.
outbox-state-advice = „outpost queue show“ sagt, wo sie steht.
worker-running-advice = Jenes Outpost sendet die Nachrichten („outpost queue list“ zeigt, wie es steht); um stattdessen von hier zu senden, beenden Sie es zuerst: outpost run --stop
worker-lock-advice = Prüfen Sie, ob der Datenordner Ihnen gehört und die Festplatte nicht voll ist, und versuchen Sie es dann erneut; die eingereihten Nachrichten bleiben erhalten.

## src/outbox/policy.rs
setup-account-gone = ihr Konto wurde entfernt; fügen Sie es erneut hinzu, um diese Nachricht zu senden
setup-token-refused = der Server hat das Anmelde-Token abgelehnt ({ $reply }); melden Sie sich erneut an
setup-server-name = { $error }: Prüfen Sie den Servernamen des Kontos
gave-up =
    { $days ->
        [one] nach 1 Tag aufgegeben: { $why }
       *[other] nach { $days } Tagen aufgegeben: { $why }
    }
needs-login = der Server verlangt zuerst eine Anmeldung oder Verschlüsselung ({ $reply }); prüfen Sie die Kontoeinstellungen
login-refused-again = der Server hat die Anmeldung abgelehnt ({ $reply }); geben Sie das Passwort erneut ein (ein App-Passwort, falls Ihr Anbieter eines verlangt)

## src/outbox/send.rs
what-error = { $what }: { $error }
what-no-answer = { $what }: keine Antwort binnen { $seconds } s
connection-failed = die Verbindung ist gescheitert
no-reply-to-mail = keine Antwort auf MAIL
missing-rcpt-reply = Antwort auf RCPT fehlt
no-recipient = kein Empfänger
after-final-dot = nach dem abschließenden „.“: { $error }
no-reply-final-dot = keine Antwort auf das abschließende „.“ binnen { $seconds } s

## src/outbox/sendmail.rs
sendmail-unknown-option = unbekannte sendmail-Option { $option }
sendmail-missing-value = die Option { $option } braucht einen Wert
sendmail-no-recipient = keine Empfänger: Geben Sie sie als Argumente an, oder lesen Sie mit -t To, Cc und Bcc
sendmail-bad-address = „{ $text }“ ist keine E-Mail-Adresse
sendmail-too-large = die Nachricht ist größer als { $bytes } Bytes
sendmail-bad-header = der Nachrichtenkopf ist fehlerhaft: { $detail }
sendmail-continuation-first = eine Fortsetzungszeile steht am Anfang

## src/outbox/store.rs
state-sent = gesendet
state-failed = fehlgeschlagen
state-cancelled = abgebrochen
state-sending = wird gesendet
state-waiting = wartet
state-retry = wird wiederholt
state-sent-refused =
    { $count ->
        [one] gesendet, 1 abgelehnt
       *[other] gesendet, { $count } abgelehnt
    }
delivery-waiting = wartet
delivery-accepted = angenommen
delivery-refused = abgelehnt
delivery-deferred = zurückgestellt
outbox-error-db = der Postausgang { $path } ist nicht nutzbar: { $error }
outbox-error-too-new = der Postausgang { $path } stammt von einem neueren Outpost (Schema { $found }); er wurde nicht verändert
outbox-error-damaged = der Postausgang { $path } ist beschädigt ({ $error }); er wurde nicht verändert
outbox-error-not-found = im Postausgang gibt es keine Nachricht { $id }
outbox-error-body-gone = der Text der Nachricht { $id } wird nicht mehr aufbewahrt (sie wurde vor einer Weile gesendet oder abgebrochen)
retention-unreadable = { $path } lässt sich nicht lesen: { $error }
retention-unwritable = { $path } ließ sich nicht schreiben: { $error }
retention-not-days = „{ $value }“ ist weder eine Zahl von Tagen noch "forever"
outbox-error-state =
    Nachricht { $id } ist jetzt { $state ->
        [queued] wartend
        [sending] im Versand
        [retry] auf einen neuen Versuch wartend
        [sent] gesendet
        [failed] fehlgeschlagen
       *[cancelled] abgebrochen
    }
note-queued-for = eingereiht, zu senden { $when }
note-queued = eingereiht
note-late = sollte { $when } gesendet werden; Outpost lief da nicht, daher wird sie jetzt gesendet
note-sent = gesendet: { $reply }
note-retry = wird { $when } wiederholt: { $reason }
note-failed = fehlgeschlagen: { $reason }
note-account-removed = abgebrochen: ihr Konto wurde entfernt
note-account-back = ihr Konto wurde erneut hinzugefügt; das Senden geht weiter
note-retry-requested = neuer Versuch angefordert
note-sender-stopped = der Versand brach beim Senden ab; neuer Versuch mit derselben Message-ID
note-recipient-deferred = Empfänger { $recipient } zurückgestellt: { $reply }
note-held = wartet mit seinem Konto: { $reason }
note-paused = wartet auf Sie: { $reason }
note-cancelled = abgebrochen

## src/outbox/worker.rs
worker-already-running = ein anderes Outpost sendet bereits aus diesem Postausgang ({ $detail })
worker-lock = { $path } ließ sich nicht sperren: { $error }
event-sending = Nachricht Nr. { $id } wird gesendet …
event-sent = Nachricht Nr. { $id } gesendet
event-retry = Nachricht Nr. { $id } wird { $when } erneut versucht: { $reason }
event-failed = Nachricht Nr. { $id } fehlgeschlagen: { $reason }
event-recipient-refused = Nachricht Nr. { $id }: Empfänger { $recipient } wurde abgelehnt: { $reply }
event-paused = Senden angehalten: { $reason }
event-lane-failed = ein Fehler in Outpost beendete eine Verbindung ({ $bug }); ihre Nachrichten werden in einer Minute erneut versucht, die anderen gehen weiter
cause-bug = ein Fehler in Outpost brach den Versuch ab ({ $detail })
note-recipient-refused = Empfänger { $recipient } abgelehnt: { $reply }
maybe-sent-again = vielleicht gesendet ({ $error }); neuer Versuch mit derselben Message-ID
resumes-at = { $why } Das Senden geht { $when } weiter.

## src/notify.rs
notify-no-service = kein Benachrichtigungsdienst: { $error }
notify-unsupported = Desktop-Benachrichtigungen werden auf dieser Plattform nicht unterstützt

## src/instance.rs
instance-listen = auf { $path } lässt sich nicht lauschen: { $error }

## src/import/evolution.rs
import-no-auth-section = der SMTP-Versand hat keinen Abschnitt [Authentication]
import-transport-no-host = der SMTP-Versand nennt keinen Host

## src/import/git.rs
import-section-error = [{ $name }]: { $error }

## src/import/kmail.rs
import-kmail-no-host = Versand { $id } nennt keinen Host
import-kmail-error = Versand { $id }: { $error }

## src/import/msmtp.rs
import-msmtp-no-host = Konto „{ $name }“ nennt keinen Host
import-msmtp-error = Konto „{ $name }“: { $error }

## src/import/mutt.rs
import-mutt-not-address = smtp_url „{ $url }“ ist keine Adresse
import-mutt-scheme = smtp_url nutzt „{ $scheme }“, nicht smtp oder smtps
import-mutt-no-server = smtp_url „{ $url }“ nennt keinen Server

## src/import/reader.rs
import-unreadable = sie lässt sich nicht lesen ({ $error })
import-bad-port = „{ $text }“ ist kein Port

## src/import/thunderbird.rs
import-tb-no-host = Server „{ $key }“ hat keinen Hostnamen
import-tb-error = Server „{ $key }“: { $error }

## src/net/connect.rs
attempt-answered = { $ip } hat geantwortet
attempt-refused = { $ip } hat abgelehnt
attempt-failed = { $ip } nicht erreichbar ({ $why })
attempt-no-answer = { $ip } hat nicht geantwortet
attempt-abandoned = { $ip } hatte noch nicht geantwortet
connect-refused = jede Adresse hat die Verbindung abgelehnt
connect-dropped = keine Antwort binnen { $seconds } s
proxy-unreachable = der Proxy { $proxy } ist nicht erreichbar: { $cause }
proxy-login = der Proxy { $proxy } hat die Anmeldung abgelehnt
proxy-onward = der Proxy { $proxy } konnte keine Verbindung zu { $target } aufbauen: { $reason }
proxy-protocol = { $proxy } ist kein funktionierender SOCKS5-Proxy: { $detail }
connection-timeout = keine Verbindung binnen { $seconds } s

## src/net/explain.rs
dns-not-found = Den Servernamen { $host } gibt es nicht.
dns-not-found-advice = Prüfen Sie die Schreibweise des Servernamens (zum Beispiel smtp.example.org); die Hilfeseiten Ihres Anbieters nennen den genauen Namen.
dns-known-server-advice = { $host } ist der eigene Servername von { $provider } und richtig geschrieben: Der DNS-Server dieses Netzwerks hat ihn nicht gefunden. Prüfen Sie, ob der Computer online ist (öffnen Sie eine Webseite), oder schalten Sie ein VPN oder einen Filter ab, der Namen beantwortet, und prüfen Sie dann erneut.
dns-no-records = Den Namen { $host } gibt es, aber er hat keine Adresse.
dns-no-records-advice = Prüfen Sie den Servernamen: Vielleicht ist es die Mail-Domain statt des Servers (smtp.example.org statt example.org).
dns-timeout = Für { $host } hat kein DNS-Server geantwortet.
dns-timeout-advice = Prüfen Sie, ob dieser Computer online ist. In einem Hotel- oder Zug-WLAN melden Sie sich zuerst auf dessen Seite an; mit einem VPN prüfen Sie, ob es verbunden ist.
dns-failed = Die Suche nach { $host } ist fehlgeschlagen ({ $detail }).
dns-failed-advice = Prüfen Sie die Netzwerkverbindung und die DNS-Einstellungen dieses Computers.
netsetup-anchors-advice = Geben Sie OUTPOST_DNSSEC_ANCHORS eine Datei mit DNSKEY-Einträgen im Zonendatei-Format (example.org. 3600 IN DNSKEY 257 3 15 …) oder entfernen Sie die Variable, um den Schlüsseln der Root-Zone zu vertrauen.
netsetup-resolver-advice = Korrigieren oder entfernen Sie OUTPOST_DNS, oder prüfen Sie /etc/resolv.conf.
netsetup-tls-advice = Korrigieren oder entfernen Sie SSL_CERT_FILE.
netsetup-port-map-advice = Korrigieren oder entfernen Sie OUTPOST_PORT_MAP.
netsetup-proxy-advice = Setzen Sie ALL_PROXY auf einen SOCKS5-Proxy (socks5h://host:port), oder entfernen Sie es.
proxy-unreachable-advice = Prüfen Sie, ob der Proxy läuft (bei Tor: ob der Tor-Dienst gestartet ist), oder ändern Sie den Proxy in den Kontoeinstellungen oder in ALL_PROXY.
proxy-login-advice = Geben Sie Benutzername und Passwort des Proxys in ALL_PROXY an (socks5h://benutzer:passwort@host:port), oder fragen Sie, wer ihn betreibt.
proxy-onward-advice = Prüfen Sie Servername und Port; stimmen sie, ist der Server vielleicht ausgefallen, oder das Netz des Proxys erreicht ihn nicht.
proxy-protocol-advice = Prüfen Sie, ob die Adresse ein SOCKS5-Proxy ist (Tor lauscht auf Port 9050), kein HTTP-Proxy und kein anderer Dienst.

## src/net/http.rs
http-status = der Server antwortete mit HTTP { $status }
http-too-large = die Antwort ist größer als { $bytes } Bytes
http-timeout = keine vollständige Antwort binnen { $seconds } s
http-silent = der Server nahm die Verbindung an, sendete aber { $seconds } s lang nichts
http-redirects = mehr als { $count } Weiterleitungen
http-downgrade = eine Weiterleitung von { $from } auf das unverschlüsselte { $to } wurde abgelehnt

## src/net/pin.rs
pin-bad = „{ $text }“ ist kein SHA-256-Fingerabdruck; geben Sie die 64 Hexziffern an, die Outpost gezeigt hat (Doppelpunkte freigestellt), z. B. 3A:9F:…

## src/net/proxy.rs
proxy-bad-form = „{ $text }“ ist keine Proxy-Adresse; schreiben Sie sie als socks5h://host:port
proxy-bad-scheme = „{ $text }“ ist kein SOCKS5-Proxy; Outpost erreicht Mailserver nur über SOCKS5 (socks5h://host:port, z. B. socks5h://127.0.0.1:9050 für Tor)
proxy-password-in-settings = ein Proxy-Passwort wird nicht in den Kontoeinstellungen gespeichert; geben Sie den Proxy ohne es an, oder setzen Sie es in ALL_PROXY für die Programme, die es brauchen

## src/net/resolver.rs
dns-bad-server = { $var }=„{ $value }“ ist keine DNS-Serveradresse; schreiben Sie sie als 127.0.0.1:53
dns-bad-anchors = { $var } nennt { $path }, das ist keine Datei mit DNSKEY-Einträgen: { $detail }. Korrigieren Sie die Datei oder entfernen Sie { $var }
dns-system-config = die DNS-Konfiguration des Systems ließ sich nicht lesen ({ $detail })
dns-error-not-found = den Namen { $host } gibt es im DNS nicht
dns-error-no-records = { $host } hat keinen { $record ->
        [address] Adresseintrag
       *[other] Eintrag vom Typ { $record }
    }
dns-error-timeout = kein DNS-Server hat rechtzeitig für { $host } geantwortet
dns-error-failed = DNS-Abfrage von { $host } fehlgeschlagen ({ $detail })

## src/net/smtp/error.rs
smtp-io = Verbindungsfehler: { $error }
smtp-closed = der Server hat die Verbindung geschlossen
smtp-malformed = der Server hat etwas gesendet, das kein SMTP ist: { $text }
smtp-too-long = der Server hat eine überlange Antwort gesendet
smtp-pipelined = der Server hat vor dem TLS-Handshake Daten gesendet; die Verbindung wurde getrennt
smtp-reply = der Server antwortete: { $reply }

## src/net/stack.rs
netsetup-all-proxy = ALL_PROXY: { $error }
netsetup-port-map = { $var }=„{ $value }“ ist keine Liste von Paaren Port=Port

## src/net/tls.rs
tls-cert-file = { $var }={ $path } ist nicht nutzbar: { $detail }
tls-config = die TLS-Konfiguration ließ sich nicht erstellen: { $error }
cert-problem-wrong-name = das Zertifikat gilt nicht für { $expected }
cert-problem-expired-on = das Zertifikat ist am { $date } abgelaufen
cert-problem-expired = das Zertifikat ist abgelaufen
cert-problem-not-before = das Zertifikat gilt erst ab { $date }
cert-problem-not-yet-valid = das Zertifikat gilt noch nicht
cert-problem-unknown-issuer = das Zertifikat wurde nicht von einer vertrauenswürdigen Stelle ausgestellt (es ist vielleicht selbst signiert oder von einer privaten Stelle)
cert-problem-self-signed = das Zertifikat hat sich selbst ausgestellt (selbst signiert), nicht eine Stelle, der dieser Computer vertraut
cert-problem-wrong-purpose = das Zertifikat ist nicht für einen Server bestimmt
cert-problem-revoked = das Zertifikat wurde widerrufen
cert-problem-unacceptable = das Zertifikat ist beschädigt oder auf eine Weise signiert, die Outpost nicht annimmt
cert-problem-changed = das Zertifikat des Servers hat sich geändert: Dieses Konto vertraut nur dem Schlüssel { $pinned }
cert-problem-changed-shown = das Zertifikat des Servers hat sich geändert: Dieses Konto vertraut nur dem Schlüssel { $pinned }, und der Server zeigte den Schlüssel { $shown }
cert-problem-issued-for = (es ist ausgestellt für { $names })

## src/clock.rs
countdown-now = jetzt
countdown-seconds = in { $seconds } s
countdown-minutes = in { $minutes } Min.
countdown-hours = in { $hours } Std. { $minutes } Min.
date-today = heute { $time }
date-yesterday = gestern { $time }
# Tag, abgekürzter Monat (wie CLDR) und Jahr, dann die Uhrzeit.
date-day = { $day }. { $month ->
        [1] Jan.
        [2] Feb.
        [3] März
        [4] Apr.
        [5] Mai
        [6] Juni
        [7] Juli
        [8] Aug.
        [9] Sept.
        [10] Okt.
        [11] Nov.
       *[12] Dez.
    } { $year } { $time }
time-tomorrow = { $time } morgen
time-on-day = { $time }, { $day }
clock-bad-moment = „{ $text }“ ist kein Datum mit Uhrzeit (schreiben Sie es als 21:30, morgen 09:00, Freitag 14:00, 24.12.2026 09:00 oder 2026-12-24 09:00 in Ortszeit, oder mit Versatz: 2026-12-24T09:00+01:00)

## src/explain.rs
size-bytes = { $count } Bytes
size-kb = { $size } kB
size-mb = { $size } MB
size-gb = { $size } GB

## src/address.rs
address-no-at = Sie hat kein @; schreiben Sie sie als name@example.org
address-local-part = Der Teil vor dem @ ist leer oder enthält Leerzeichen
address-domain = Die Domain nach dem @ ist kein gültiger Name
address-not-full-domain = Die Domain nach dem @ muss eine vollständige Domain wie example.org sein
address-invalid = Sie ist keine gültige Adresse

## src/paths.rs
no-home = für diesen Benutzer ist kein Persönlicher Ordner bekannt; setzen Sie { $var } auf einen Ordner, den Outpost nutzen darf

## src/cli/help.rs: --help (the English help is the doc comments in src/cli; one message
## per command ("help-account-add") and option ("help-account-add-email"), only in translations)
help = Ausgehende Mail für den Desktop: findet Ihre SMTP-Einstellungen und stellt über einen beständigen Postausgang zu
help-json = Ein JSON-Objekt auf der Standardausgabe ausgeben statt Text
help-account = Konten hinzufügen, auflisten, entfernen und prüfen
help-account-add = Ein Konto hinzufügen; das Passwort kommt in den Schlüsselbund
help-account-add-email = Die Adresse, von der gesendet wird
help-account-add-name = Der Name, den Empfänger sehen
help-account-add-host = Der Einlieferungsserver (von --detect gefunden, wenn nicht angegeben)
help-account-add-port = Der Port (Vorgabe: 465 für tls, 587 für starttls, 25 für none)
help-account-add-security = tls (implizites TLS), starttls oder none (von --detect gefunden, wenn nicht angegeben)
help-account-add-username = Anmeldename (Vorgabe: die E-Mail-Adresse)
help-account-add-auth = password, oauth2 (Anmeldung über den Browser) oder none (Vorgabe: password, oder was --detect gefunden hat)
help-account-add-detect = Die Servereinstellungen anhand der Adresse suchen; jede angegebene Option ersetzt das Gefundene
help-account-add-password_stdin = Das Passwort von der Standardeingabe lesen, statt nachzufragen (mit --auth oauth2: ein anderswo erhaltenes Zugriffs-Token, das statt der Anmeldung über den Browser genutzt wird)
help-account-add-no_browser = Bei Anmeldung oauth2: die Anmeldeadresse ausgeben, statt einen Browser zu öffnen
help-account-add-session_keyring = Das Passwort bis zum Abmelden oder Neustart im Kernel-Schlüsselbund aufbewahren, nicht im Schlüsselbund des Systems
help-account-add-allow_plaintext_password = Das unverschlüsselte Senden des Passworts bestätigen (nur mit --security none)
help-account-add-replace = Die Einstellungen eines vorhandenen Kontos mit derselben Adresse ersetzen (ein für denselben Server vertrautes Zertifikat bleibt vertraut)
help-account-add-proxy = Über diesen SOCKS5-Proxy verbinden (socks5h://host:port; Namen löst der Proxy auf) statt über den aus ALL_PROXY
help-account-list = Die Konten auflisten
help-account-remove = Ein Konto und sein Passwort entfernen; fragt, was aus seinen noch wartenden Nachrichten wird
help-account-remove-email = Die E-Mail-Adresse des Kontos
help-account-remove-cancel_waiting = Die noch wartenden Nachrichten des Kontos verwerfen: Sie werden nicht gesendet
help-account-remove-keep_waiting = Die noch wartenden Nachrichten des Kontos behalten: Sie werden gesendet, sobald wieder ein Konto für dieselbe Adresse hinzugefügt ist
help-account-signin = Erneut über den Browser anmelden (Konten mit Anmeldung oauth2); das Senden geht weiter
help-account-signin-email = Die E-Mail-Adresse des Kontos
help-account-signin-no_browser = Die zu öffnende Adresse ausgeben, statt einen Browser zu öffnen
help-account-import = Ein Konto übernehmen, mit dem ein anderes Mail-Programm auf diesem Computer sendet (Thunderbird, Evolution, KMail, msmtp, git send-email, mutt): `--list` zeigt sie; geben Sie eines als QUELLE:NAME an, um es hinzuzufügen (sein Passwort wird abgefragt; keines wird aus anderen Programmen gelesen)
help-account-import-source = Das hinzuzufügende Konto, wie `--list` es nennt (z. B. msmtp:work, thunderbird:default/smtp1)
help-account-import-list = Auflisten, womit andere Programme senden und was sich nicht lesen ließ
help-account-import-email = Die Absenderadresse, wenn das andere Programm sie nicht nennt
help-account-import-password_stdin = Das Passwort von der Standardeingabe lesen, statt nachzufragen
help-account-import-session_keyring = Das Passwort bis zum Abmelden oder Neustart im Kernel-Schlüsselbund aufbewahren
help-account-import-replace = Die Einstellungen eines vorhandenen Kontos mit derselben Adresse ersetzen
help-account-trust-certificate = Das Zertifikat zeigen, das der Server des Kontos vorlegt, und für dieses Konto genau seinem Schlüssel vertrauen (ein selbst signiertes oder privates Zertifikat Ihres eigenen Servers)
help-account-trust-certificate-email = Die E-Mail-Adresse des Kontos
help-account-trust-certificate-fingerprint = Der SHA-256 des Schlüssels wie angezeigt (64 Hexziffern): nur vertraut, wenn der Server genau ihn zeigt; ohne ihn wird im Terminal nachgefragt
help-account-trust-certificate-remove = Dem Zertifikat des Kontos nicht mehr vertrauen: Wieder entscheiden die üblichen Zertifizierungsstellen
help-account-identity = Die Adressen, als die ein Konto außer seiner eigenen sendet (Aliasse, die sein Anbieter erlaubt), jeweils mit Name, Antwortadresse und Signatur
help-account-identity-add = Eine Absenderadresse hinzufügen (ein Alias, den Ihr Anbieter dem Konto erlaubt) oder ändern; mit der eigenen Adresse des Kontos deren Antwortadresse und Signatur festlegen
help-account-identity-add-account = Das Konto, zu dem sie gehört (seine eigene Adresse)
help-account-identity-add-email = Die Adresse, als die gesendet wird
help-account-identity-add-name = Der Name, den Empfänger sehen
help-account-identity-add-reply_to = Wohin Antworten gehen
help-account-identity-add-signature = Die Signatur, unter Nachrichten gesetzt, die mit `outpost send` und im Fenster geschrieben werden
help-account-identity-add-signature_file = Eine Datei mit der Signatur
help-account-identity-list = Jede Adresse auflisten, als die ein Konto sendet
help-account-identity-remove = Nicht mehr als eine Adresse senden (nicht die eigene des Kontos: Entfernen Sie dafür das Konto)
help-account-identity-remove-email = Die Adresse
help-account-check = Die Verbindung Schritt für Schritt prüfen: DNS, TCP, TLS, EHLO, Anmeldung
help-account-check-email = Die E-Mail-Adresse des Kontos
help-account-check-timeout = Grenze für jeden Schritt, in Sekunden
help-account-check-transcript = Das Gespräch mit dem Server ausgeben, alle Passwörter und Token verborgen: zum Weitergeben an den Support Ihres Anbieters
help-detect = Die SMTP-Einstellungen für eine Adresse suchen (Anbieterliste, Autoconfig, DNS, Proben)
help-detect-email = Die E-Mail-Adresse
help-detect-deadline = Die Grenze für die ganze Suche, in Sekunden
help-detect-no_probe = Server nicht direkt ausprobieren
help-detect-no_online = Thunderbirds Online-Datenbank nicht fragen
help-detect-share_address = Die Adresse selbst an Autoconfig-Server senden (manche brauchen sie; zum Schutz der Privatsphäre aus)
help-send = Eine Nachricht verfassen und in den Postausgang legen
help-send-from = Die Adresse des sendenden Kontos
help-send-to = Ein Empfänger (`adresse` oder `Name <adresse>`); für weitere wiederholen
help-send-cc = Ein Kopieempfänger
help-send-bcc = Ein Blindkopieempfänger (nicht in den Kopfzeilen)
help-send-subject = Der Betreff
help-send-body = Der Nachrichtentext
help-send-body_file = Eine Datei mit dem Nachrichtentext
help-send-attach = Eine anzuhängende Datei; für weitere wiederholen
help-send-delay = So viele Sekunden (bis zu einem Tag) vor dem Senden warten: Zeit, sie mit `outpost queue cancel ID` zurückzunehmen
help-send-at = Zu diesem Zeitpunkt senden, in Ortszeit: "21:30" (das nächste Mal), "morgen 09:00", "Freitag 14:00", "24.12.2026 09:00"; oder ISO 8601 mit Versatz ("2026-12-24T09:00+01:00")
help-manuals = Die Handbuchseiten in diesen Ordner schreiben (man1/, de/man1/) und aufhören: für Pakete
help-queue = Den Postausgang ansehen und bearbeiten
help-queue-list = Jede Nachricht im Postausgang, die neueste zuerst
help-queue-show = Eine Nachricht mit ihrem Verlauf
help-queue-show-id = Ihre Nummer im Postausgang
help-queue-retry = Eine wartende oder fehlgeschlagene Nachricht jetzt versuchen (und ihr Konto fortsetzen)
help-queue-retry-id = Ihre Nummer im Postausgang
help-queue-cancel = Eine noch nicht gesendete Nachricht abbrechen
help-queue-cancel-id = Ihre Nummer im Postausgang
help-queue-stats = Wie viele Nachrichten der Postausgang enthält und wie viel Platz sie belegen
help-queue-prune = Den Text von Nachrichten, die vor einer Weile gesendet oder abgebrochen wurden, jetzt freigeben (ihr Verlauf bleibt); dann den Platz zurückgeben
help-queue-prune-older_than = Die vor mehr als so vielen Tagen beendeten (Vorgabe: wie eingestellt, anfangs 30 Tage; 0: jede beendete Nachricht)
help-queue-keep-text = Einstellen, wie lange gesendete und abgebrochene Nachrichten ihren Text behalten
help-queue-keep-text-days = So viele Tage
help-queue-keep-text-forever = Für immer
help-sendmail = Eine von der Standardeingabe gelesene Nachricht einreihen, wie sendmail es tut (-t, -i, -f ABSENDER)
help-sendmail-args = Die Optionen und Empfänger von sendmail
help-oauth2 = Die OAuth2-Anmeldedienste und ihre Client-IDs
help-oauth2-list = Die Anbieter auflisten, die SMTP-Hosts, für die sie anmelden, und ob eine Client-ID festgelegt ist
help-oauth2-set = Die Client-ID (und das Geheimnis) eines Anbieters festlegen, andere Endpunkte, oder einen Anbieter hinzufügen
help-oauth2-set-provider = Die Kennung des Anbieters (google, microsoft, yahoo, aol, … oder eine neue)
help-oauth2-set-client_id = Die beim Anbieter registrierte Client-ID (ein Desktop- bzw. öffentlicher Client)
help-oauth2-set-client_secret = Das Client-Geheimnis, bei Anbietern, die Desktop-Apps eines geben (Google tut es; es ist kein Geheimnis von Ihnen)
help-oauth2-set-name = Der Name auf dem Anmeldeknopf
help-oauth2-set-auth_url = Der Autorisierungsendpunkt (https), z. B. der eines Microsoft-365-Mandanten
help-oauth2-set-token_url = Der Token-Endpunkt (https)
help-oauth2-set-scope = Bereiche (Scopes), durch Leerzeichen getrennt
help-oauth2-set-host = Ein SMTP-Host, der die Tokens dieses Anbieters annimmt (wiederholbar)
help-oauth2-unset = Ihre Einstellungen für einen Anbieter entfernen
help-oauth2-unset-provider = Die Kennung des Anbieters (siehe `outpost oauth2 list`)
help-run = Senden, was im Postausgang liegt, ohne Fenster
help-run-until_empty = Aufhören, wenn nichts mehr übrig ist, das sich jetzt senden lässt
help-run-stop = Den laufenden Versand (den des Fensters oder ein anderes „outpost run“) bitten, zu beenden, was er sendet, und aufzuhören; wartet, bis er es getan hat
help-run-background = Senden, solange Nachrichten warten, dann enden: vom Terminal gelöst, still (das Protokoll sagt, was geschah), und dem Fenster weichend. Das Einreihen startet es von selbst, wenn nichts sendet, ebenso die Anmeldung nach einem Neustart, solange Nachrichten warten
help-run-timeout = Grenze für jeden Netzwerkschritt, in Sekunden (Vorgabe: 10 zum Verbinden, 120 je Befehl, 300 für die Nachricht)
help-run-give_up_after = Eine Nachricht nach so vielen Tagen Versuchen aufgeben

## src/runtime/guard.rs
bug-problem = Ein Fehler in Outpost brach beim { $what } ab: { $detail }.
bug-advice = Es ging nichts verloren: Nachrichten im Postausgang bleiben dort und werden wie bisher gesendet. Versuchen Sie es erneut; passiert es wieder, melden Sie den Fehler bitte mit dem, was Sie getan haben.
bug-no-detail = keine Einzelheiten
bug-doing-accounts = Lesen der Konten
bug-doing-save = Speichern des Kontos
bug-doing-remove = Entfernen des Kontos
bug-doing-check = Prüfen der Verbindung
bug-doing-sign-in = Anmelden
bug-doing-queue = Einreihen der Nachricht in den Postausgang
bug-doing-message = Lesen oder Ändern der Nachricht
bug-doing-server-size = Erfragen der Größengrenze des Servers
bug-doing-files = Lesen der Größen der Anhänge
bug-doing-client = Speichern der Anmeldeeinstellungen
bug-doing-space = beim Lesen der Größe des Postausgangs
bug-doing-drafts = beim Speichern oder Lesen Ihrer Entwürfe
bug-doing-other = Arbeiten im Hintergrund
bug-doing-watch = Beobachten des Postausgangs
bug-doing-send = Senden
core-stopped = Der Hintergrundteil von Outpost wurde durch einen Fehler beendet: aus diesem Fenster kann nichts mehr geprüft, gespeichert oder gesendet werden.
core-stopped-advice = Es ging nichts verloren: Postausgang und Konten liegen auf der Festplatte. Schließen Sie Outpost und öffnen Sie es erneut.
watcher-not-started = der Postausgang kann nicht auf Änderungen beobachtet werden: { $error }

## Kopien gesendeter Nachrichten im Ordner „Gesendet“ (IMAP)
imap-tls = die verschlüsselte Verbindung zum IMAP-Server ist gescheitert: { $error }
imap-no-starttls = der IMAP-Server bietet kein STARTTLS an, das Passwort ginge also unverschlüsselt über das Netz
imap-no-login = der IMAP-Server bietet keine Anmeldung an, die Outpost nutzen kann
imap-login-refused = der IMAP-Server hat die Anmeldung abgelehnt: { $text }
imap-refused = der IMAP-Server hat { $command } abgelehnt: { $text }
imap-bye = der IMAP-Server hat die Verbindung beendet: { $text }
imap-closed = der IMAP-Server hat die Verbindung geschlossen
imap-io = die Verbindung zum IMAP-Server ist gescheitert: { $error }
imap-malformed = der IMAP-Server hat etwas geschickt, das kein IMAP ist
imap-timeout = der IMAP-Server hat nicht innerhalb von { $seconds } s geantwortet
invalid-folder = der Name des Gesendet-Ordners enthält einen Zeilenumbruch oder ein Steuerzeichen
copy-over-quota = das Postfach ist voll ({ $said }): schaffen Sie Platz (Papierkorb leeren, große Nachrichten löschen) und wählen Sie dann „Kopie jetzt ablegen“ im Postausgang (outpost queue retry mit ihrer Nummer)
copy-login-refused = der IMAP-Server hat die Anmeldung abgelehnt ({ $said }); das Senden klappt mit demselben Passwort, vielleicht ist IMAP in den Web-Einstellungen des Anbieters ausgeschaltet
copy-refused-code = der IMAP-Server hat { $command } abgelehnt [{ $code }]: { $said }
copy-refused = der IMAP-Server hat { $command } abgelehnt: { $said }
copy-off = für dieses Konto sind Kopien ausgeschaltet
copy-state-filed = Kopie in { $folder } abgelegt
copy-state-waiting = Kopie für den Gesendet-Ordner noch nicht abgelegt
copy-state-failed = Kopie nicht im Gesendet-Ordner abgelegt (siehe Verlauf)
note-filed = in { $folder } abgelegt
note-folder-created = das Konto hatte keinen Gesendet-Ordner: „{ $folder }“ angelegt
note-copy-retry = Kopie nicht abgelegt, neuer Versuch { $when }: { $reason }
note-copy-not-filed = Kopie nicht abgelegt: { $reason }
cli-copies-on = { $email }: Kopien gesendeter Nachrichten kommen in den Gesendet-Ordner auf { $host }:{ $port } ({ $security })
cli-copies-off = { $email }: es werden keine Kopien gesendeter Nachrichten abgelegt
help-account-add-imap_host = Der IMAP-Server, auf dem Kopien gesendeter Nachrichten abgelegt werden (von --detect gefunden, wenn nicht angegeben)
help-account-add-imap_port = Sein Port (Vorgabe: 993 für tls, 143 für starttls und none)
help-account-add-imap_security = tls (implizites TLS), starttls oder none (Vorgabe: tls)
help-account-add-no_sent_copy = Keine Kopie gesendeter Nachrichten im Gesendet-Ordner ablegen
help-account-add-sent_copy = Eine Kopie jeder gesendeten Nachricht im Gesendet-Ordner ablegen (die Vorgabe, außer wo der Anbieter selbst eine ablegt)
help-account-add-sent_folder = Der Ordner für die Kopien (Vorgabe: der vom Server als „Gesendet“ markierte, sonst der übliche Name; angelegt, wenn es keinen gibt)
help-account-edit = Ändern, wo Kopien gesendeter Nachrichten abgelegt werden, oder keine mehr ablegen
help-account-edit-email = Die E-Mail-Adresse des Kontos
help-account-edit-imap_host = Der IMAP-Server, auf dem Kopien gesendeter Nachrichten abgelegt werden
help-account-edit-imap_port = Sein Port (Vorgabe: 993 für tls, 143 für starttls und none)
help-account-edit-imap_security = tls (implizites TLS), starttls oder none (Vorgabe: tls)
help-account-edit-no_sent_copy = Keine Kopie gesendeter Nachrichten im Gesendet-Ordner ablegen
help-account-edit-sent_copy = Eine Kopie jeder gesendeten Nachricht im Gesendet-Ordner ablegen
help-account-edit-sent_folder = Der Ordner für die Kopien
step-imap = Beim IMAP-Server anmelden (für Kopien in „Gesendet“)
step-sent-folder = Den Gesendet-Ordner finden
imap-logged-in = bei { $host }:{ $port }{ $tls } angemeldet
sent-folder-marked = { $folder } (vom Server als „Gesendet“ markiert)
sent-folder-named = { $folder } (am Namen erkannt; der Server markiert keinen Ordner als „Gesendet“)
sent-folder-chosen = { $folder } (für dieses Konto eingestellt)
sent-folder-made-later = „{ $folder }“ gibt es noch nicht: Outpost legt ihn mit der ersten Kopie an
verify-imap-advice = Prüfen Sie IMAP-Server, Port und Verschlüsselung in den Einstellungen des Kontos, oder schalten Sie Kopien im Gesendet-Ordner für dieses Konto aus (outpost account edit ADRESSE --no-sent-copy).
verify-imap-login-advice = Das Senden klappt mit derselben Anmeldung, vielleicht hat der Anbieter IMAP ausgeschaltet: schalten Sie es in seinen Web-Einstellungen ein, oder schalten Sie Kopien im Gesendet-Ordner für dieses Konto aus.
sent-copy-section = Kopien im Gesendet-Ordner
sent-copy-switch = Eine Kopie jeder gesendeten Nachricht im Gesendet-Ordner ablegen (IMAP)
sent-copy-provider-files = { $provider } legt selbst eine Kopie des Gesendeten ab: eine zweite wäre doppelt.
field-imap-server = IMAP-Server
sent-copy-no-server = Geben Sie den IMAP-Server ein (oft imap. und Ihre Domain), damit Kopien abgelegt werden; bis dahin wird keine abgelegt.
sent-copy-found = Gefunden über { $source }.
field-imap-port = IMAP-Port
field-imap-security = IMAP-Verschlüsselung
sent-copy-summary = Kopien gesendeter Nachrichten kommen in den Gesendet-Ordner auf { $host }.
sent-copy-summary-off = Es werden keine Kopien gesendeter Nachrichten abgelegt.
sent-copy-summary-no-server = Kein IMAP-Server eingestellt: noch werden keine Kopien gesendeter Nachrichten abgelegt.
file-copy-now = Kopie jetzt ablegen
mend-signed = eine Zeile dieser signierten Nachricht ist länger als 998 Zeichen, was Mailserver ablehnen; sie neu zu kodieren bräche die Signatur, deshalb wird sie nicht eingereiht: lassen Sie das Programm einen Text mit kürzeren Zeilen signieren (oder ihn vor dem Signieren quoted-printable kodieren)
mend-multipart = eine Zeile dieser mehrteiligen Nachricht ist länger als 998 Zeichen, was Mailserver ablehnen; Outpost schreibt die Teile nicht um, deshalb wird sie nicht eingereiht: lassen Sie das Programm diesen Teil kodieren (quoted-printable oder base64)
mend-encoded = der Text dieser Nachricht ist schon { $encoding }, hat aber eine Zeile länger als 998 Zeichen: er ist beschädigt, deshalb wird sie nicht eingereiht
mend-header = das Kopffeld { $field } hat eine Zeile länger als 998 Zeichen ohne Leerzeichen zum Umbrechen, was Mailserver ablehnen: sie wird nicht eingereiht
needs-smtputf8 = die Adresse { $address } enthält Zeichen jenseits von ASCII, die dieser Server nicht annimmt (er bietet kein SMTPUTF8); Outpost hat sie nicht gesendet
queue-too-large = die Nachricht ist { $size } groß, mehr als die { $limit }, die ihr Server annimmt (wie er angekündigt hat): sie wird nicht eingereiht
outbox-error-attachment = ein Anhang konnte beim Einreihen der Nachricht nicht gelesen werden: { $error }
outbox-attachment-advice = Es wurde nichts eingereiht. Hängen Sie die Datei erneut an (sie wurde vielleicht inzwischen verschoben, gelöscht oder geändert) und senden Sie dann.
attachment-changed = { $path } hat sich nach dem Anhängen geändert
attachment-lost = die Stelle eines Anhangs in der Nachricht wurde nicht gefunden

# Spelling in Write (issue 29)
language-en = Englisch
language-de = Deutsch
language-fr = Französisch
language-es = Spanisch
language-it = Italienisch
language-nl = Niederländisch
spelling-error-file = { $path } ließ sich nicht lesen oder schreiben: { $error }
spelling-error-dictionary = das Wörterbuch { $path } ließ sich nicht lesen: { $error }
spelling-label = Rechtschreibung
spelling-off = Aus
spelling-none = Es sind keine Wörterbücher installiert, daher wird die Rechtschreibung nicht geprüft; Schreiben funktioniert wie gewohnt. Installieren Sie eines (unter Debian und Ubuntu: hunspell-de-de, hunspell-en-us), damit falsch geschriebene Wörter unterstrichen werden.
spelling-loading = Das Wörterbuch wird gelesen …
spelling-all-right = Keine falsch geschriebenen Wörter
spelling-wrong = { $count ->
    [one] 1 Wort nicht im Wörterbuch: { $words }
   *[other] { $count } Wörter nicht im Wörterbuch: { $words }
}
spelling-checking = Wird geprüft …
spelling-menu = Schreibweise von „{ $word }“
spelling-add = „{ $word }“ zum Wörterbuch hinzufügen
spelling-no-suggestions = Keine Vorschläge
spelling-finding = Vorschläge werden gesucht …
spelling-hint = Für Vorschläge ein unterstrichenes Wort rechts anklicken oder den Cursor hineinsetzen und die Menütaste oder Umschalt+F10 drücken.
spelling-error-file-advice = Prüfen Sie, ob Datei und Ordner lesbar und beschreibbar sind; Ihr Text ist davon nicht betroffen.
spelling-error-dictionary-advice = Wählen Sie eine andere Sprache für die Rechtschreibung oder installieren Sie das Wörterbuch neu; Ihr Text ist davon nicht betroffen.
