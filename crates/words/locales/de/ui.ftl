# Die Seiten. Inseln formulieren sie auch im Browser, aus der Kopie der
# Seite (Werte eingesetzt, Plural nach den Regeln des Browsers).

## Von den Formularen geteilt.
loading = Wird geladen…
code = Code
show-password = Passwort anzeigen
verify = Bestätigen
verifying = Wird geprüft…
continue = Weiter
send-code = Code senden
resend-code = Code erneut senden
resend-code-in = { $label } ({ $n })
code-resent = Ein neuer Code wurde gesendet.
try-again-now = Sie können es jetzt erneut versuchen.
try-again-in = { $n ->
    [one] Zu viele Anfragen. Versuchen Sie es in { $n } Sekunde erneut.
   *[other] Zu viele Anfragen. Versuchen Sie es in { $n } Sekunden erneut.
}
email-address = E-Mail-Adresse
password = Passwort
new-password = Neues Passwort
password-advice = Mindestens 8 Zeichen. Lange Sätze sind am besten.
sign-out-others = Auf allen anderen Geräten abmelden
sign-out = Abmelden
saving = Wird gespeichert…

## Die Methoden.
method-totp = Authenticator-App
method-phone = SMS
method-backup-code = Backup-Code
method-email-code = E-Mail-Code
method-password = Passwort
method-reset-code = Code zum Zurücksetzen
method-unlock-code = Entsperrcode
method-passkey = Passkey

## Anmelden.
sign-in = Anmelden
sign-in-to = Bei { $app } anmelden
sign-in-welcome = Willkommen zurück! Bitte melden Sie sich an, um fortzufahren.
unlocked = Ihr Konto ist in diesem Browser entsperrt. Melden Sie sich an, um fortzufahren.
enter-email = E-Mail-Adresse eingeben
enter-password = Passwort eingeben
signing-in = Anmeldung läuft…
sign-in-passkey = Mit einem Passkey anmelden
unlock-link = Diesen Browser mit einem E-Mail-Code entsperren
forgot-password = Passwort vergessen?
email-me-code = Anmeldecode per E-Mail senden
no-account = Kein Konto?
sign-up = Registrieren
next-step-loading = Der nächste Schritt wird geladen…
use-another-account = Anderes Konto verwenden
verified = Sie sind bestätigt

## Nur mit der E-Mail-Adresse beginnen.
reset-title = Passwort zurücksetzen
reset-hint = Wir senden Ihnen per E-Mail einen Code, mit dem Sie ein neues Passwort festlegen.
unlock-title = Konto entsperren
unlock-hint = Zu viele Fehlversuche haben Ihr Konto gesperrt. Wir senden Ihnen per E-Mail einen Code, mit dem dieser Browser es erneut versuchen kann.
email-code-title = Mit einem E-Mail-Code anmelden
email-code-hint = Wir senden Ihnen per E-Mail einen Code, mit dem Sie sich statt mit Ihrem Passwort anmelden.
back-to-sign-in = Zurück zur Anmeldung

## Die Schritte mit Code.
check-email = Prüfen Sie Ihre E-Mails
your-email = Ihre E-Mail-Adresse
code-sent-to = Geben Sie den Code ein, den wir an { $to } gesendet haben.
code-will-go-to = Wir senden einen Code an { $to }.
new-browser = Dieser Browser ist für Ihr Konto neu. Geben Sie den Code ein, den wir an { $to } gesendet haben.
verify-device = Dieses Gerät bestätigen
choose-password = Neues Passwort wählen
set-password = Passwort festlegen

## Der zweite Faktor.
verify-account = Bestätigen Sie Ihr Konto
use-passkey = Passkey verwenden
verify-with = Bestätigen mit
totp-hint = Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App ein.
your-phone = Ihr Telefon
sms-sent = Geben Sie den Code ein, den wir an { $to } gesendet haben.
sms-send = Senden Sie per SMS einen Code an { $to } und geben Sie ihn hier ein.
backup-hint = Geben Sie einen Ihrer Backup-Codes ein.
send-sms = Code per SMS senden

## Registrieren.
sign-up-title = Konto erstellen
sign-up-welcome = Willkommen! Bitte füllen Sie die Angaben aus, um loszulegen.
creating-account = Konto wird erstellt…
have-account = Schon ein Konto?
sign-up-code-hint = Geben Sie den 6-stelligen Code ein, den wir an { $to } gesendet haben.
use-another-email = Andere E-Mail-Adresse verwenden
email-verified = Ihre E-Mail-Adresse ist bestätigt

## Startseite.
home = Startseite
welcome = Willkommen
signed-in-as = Angemeldet als
home-no-codes = Sie haben keine Backup-Codes: Verlieren Sie Ihren zweiten Faktor, kommen Sie nur mit ihnen wieder hinein.
make-backup-codes = Backup-Codes erstellen
no-second-factor = Kein zweiter Faktor eingerichtet.
second-factors = Zweite Faktoren: { $factors }.
security-settings = Sicherheitseinstellungen
active-sessions = Aktive Sitzungen
not-found = Seite nicht gefunden
go-to-sign-in = Zur Anmeldung
list-separator = {", "}

## Die Methoden in einem Satz.
inline-totp = Authenticator-App
inline-phone = SMS
inline-backup-code = Backup-Code
inline-email-code = E-Mail-Code
inline-password = Passwort
inline-reset-code = Code zum Zurücksetzen
inline-unlock-code = Entsperrcode
inline-passkey = Passkey

## Was eine Änderung bewirkt hat.
now-default = { $method } ist jetzt Ihre Standardmethode.
method-removed = { $method } entfernt.
method-added = { $method } hinzugefügt.
notice-reverified = Danke: Sie können die Änderung jetzt vornehmen.
notice-session-revoked = Sitzung beendet.
notice-others-revoked = Von allen anderen Sitzungen abgemeldet.
notice-device-revoked = Vertrauenswürdiges Gerät entfernt: Es muss sich beim nächsten Mal per E-Mail bestätigen.
notice-default-set = Ihre Standardmethode wurde geändert.
notice-removed = Entfernt.
notice-passkey-removed = Passkey entfernt.
notice-passkey-renamed = Passkey umbenannt.
notice-totp-started = Scannen Sie den QR-Code mit Ihrer App und geben Sie dann den angezeigten Code ein.
notice-added = Hinzugefügt.
notice-codes-made = Neue Backup-Codes erstellt: Die alten gelten nicht mehr.

## Die Sicherheitsseite.
back-home = Zurück zur Startseite
second-factors-title = Zweite Faktoren
default-badge = Standard
make-default = Als Standard festlegen
make-default-named = Als Standard festlegen: { $method }
remove = Entfernen
remove-named = { $method } entfernen
remove-your = { $method } entfernen?
remove-hint = Sie können sich dann nicht mehr damit anmelden.
remove-passkey-question = Den Passkey „{ $name }“ entfernen?
no-factor-yet = Noch kein zweiter Faktor.
backup-codes = Backup-Codes
backup-unused = { $n } unbenutzt.
new-codes = Neue Codes erstellen
change-password = Passwort ändern
your-account = Ihr Konto
download-data = Meine Daten herunterladen
download-data-hint = (Ihr Profil, Ihre Faktoren, Sitzungen und der Kontoverlauf, als JSON)
delete-account = Mein Konto löschen
new-codes-question = Neue Backup-Codes erstellen?
codes-will-stop = { $n ->
    [one] Ihr { $n } unbenutzter Code wird ungültig.
   *[other] Ihre { $n } unbenutzten Codes werden ungültig.
}
make-new-codes = Neue Codes erstellen
keep-codes = Meine Codes behalten
delete-question = Ihr Konto löschen?
delete-hint = Alles darin wird mit gelöscht. Das lässt sich nicht rückgängig machen.
delete-it = Löschen
keep-account = Mein Konto behalten
delete-confirm = Ihr Konto mit allem, was darin ist, löschen? Das lässt sich nicht rückgängig machen.
keep-it = Behalten

## Bestätigen Sie, dass Sie es sind.
confirm-title = Bestätigen Sie, dass Sie es sind
reverify-window = { $n ->
    [one] Für diese Änderung brauchen wir Ihr Passwort (oder einen Authenticator-Code) aus der letzten Minute.
   *[other] Für diese Änderung brauchen wir Ihr Passwort (oder einen Authenticator-Code) aus den letzten { $n } Minuten.
}
authenticator-code = Authenticator-Code
confirm = Bestätigen
use-password = Ihr Passwort verwenden
use-app = Ihre Authenticator-App verwenden

## Faktoren hinzufügen.
password-changed = Ihr Passwort wurde geändert.
add-app = Authenticator-App hinzufügen
scan-qr = Scannen Sie diesen QR-Code mit Ihrer App oder geben Sie das Geheimnis von Hand ein.
copied = Kopiert
copy-secret = Geheimnis kopieren
open-in-app = In der App öffnen
app-code = Code aus der App
enable = Aktivieren
passkeys = Passkeys
synced-badge = synchronisiert
passkey-used = zuletzt verwendet { $when }
passkey-unused = hinzugefügt { $when }, noch nicht verwendet
remove-passkey-named = Passkey { $name } entfernen
rename-passkey-named = Passkey { $name } umbenennen
rename = Umbenennen
new-name = Neuer Name
save = Speichern
cancel = Abbrechen
no-passkey = Noch kein Passkey.
passkey-needs-js = Zum Hinzufügen eines Passkeys ist JavaScript nötig. Eine Authenticator-App oder ein Telefon funktioniert auch ohne.
passkey-name = Name des Passkeys (optional)
add-passkey = Passkey hinzufügen
add-phone = Telefonnummer hinzufügen
phone-number = Telefonnummer
phone-international = Telefonnummer (internationales Format)
verify-phone = Telefon bestätigen
backup-codes-hint = Jeder Code gilt einmal, falls Sie Ihre anderen Faktoren verlieren. Bewahren Sie sie sicher auf: Sie werden nur jetzt angezeigt.
copy = Kopieren
download = Herunterladen

## Die Sitzungsaufgaben.
setup-mfa-title = Bestätigung in zwei Schritten einrichten
all-set = Alles bereit
needs-factor = Ihr Konto braucht einen zweiten Faktor, bevor es weitergeht.
recommended = Empfohlen
other-ways = Andere Wege
advice-phone = SMS sind am einfachsten einzurichten und am wenigsten sicher: Eine Telefonnummer kann übernommen werden.
advice-passkey = Ein Passkey: Fingerabdruck, Gesicht oder Bildschirmsperre melden Sie an. Nichts einzugeben, und er lässt sich nicht abfischen.
advice-app = Eine Authenticator-App (Google Authenticator, 1Password, Authy…) zeigt alle 30 Sekunden einen neuen Code, auch offline.
compromised = Ihr Passwort gilt als kompromittiert: Es steht möglicherweise auf einer Liste veröffentlichter Passwörter. Wählen Sie ein neues, um fortzufahren.

## Sitzungen und vertrauenswürdige Geräte.
unknown-ip = unbekannte IP
session-detail = { $ip } · angemeldet { $created } · zuletzt aktiv { $active }
device-detail = { $ip } · vertraut seit { $trusted } · zuletzt verwendet { $used }
revoke = Entfernen
revoke-named = { $device } entfernen
sign-out-named = { $device } abmelden
sign-out-elsewhere = Überall sonst abmelden
trusted-devices = Vertrauenswürdige Geräte
trusted-hint = Browser, in denen Sie sich angemeldet haben, überspringen den E-Mail-Code. Entfernen Sie einen, muss er sich erneut bestätigen.
this-device = dieses Gerät
device-on = { $browser } unter { $os }
android-app = Android-App
ios-app = iOS-App
native-app = Native App
unknown-device = Unbekanntes Gerät

## Zeitpunkte.
just-now = gerade eben
day-at = { $day } um { $time }

## Das Sprachmenü.
language = Sprache
change-language = Ändern
