# Die Fehler einer Antwort, formuliert aus ihrem Code und ihren Parametern.

error-missing-email = Geben Sie Ihre E-Mail-Adresse ein.
error-missing-password = Geben Sie Ihr Passwort ein.
error-missing-code = Geben Sie den Code ein.
error-missing-strategy = Wählen Sie, wie Sie sich bestätigen.
error-missing-phone = Geben Sie eine Telefonnummer ein.
error-missing-passkey = Verwenden Sie Ihren Passkey, um fortzufahren.
error-missing-name = Geben Sie einen Namen ein.
error-email-invalid = Geben Sie eine gültige E-Mail-Adresse ein.
error-email-taken = Diese E-Mail-Adresse ist bereits vergeben. Melden Sie sich stattdessen an.
error-password-too-short = Passwörter müssen mindestens { $n } Zeichen lang sein.
error-password-too-long = Passwörter dürfen höchstens { $n } Zeichen lang sein.
error-password-pwned = Dieses Passwort steht auf einer Liste häufiger oder geleakter Passwörter. Wählen Sie zu Ihrer Sicherheit ein anderes.
error-password-weak = Ihr Passwort darf Ihre E-Mail-Adresse nicht enthalten.
error-password-same = Ihr neues Passwort muss sich vom bisherigen unterscheiden.
error-password-incorrect = E-Mail-Adresse oder Passwort ist falsch.
error-code-incorrect = Falscher Code.
error-tries-left = { $left ->
    [0] Zu viele Fehlversuche: Ihr Konto ist jetzt für eine Weile gesperrt.
    [one] Noch { $left } Versuch, bevor Ihr Konto gesperrt wird.
   *[other] Noch { $left } Versuche, bevor Ihr Konto gesperrt wird.
}
error-code-expired = Dieser Code ist abgelaufen. Fordern Sie einen neuen an.
error-code-locked = Zu viele Fehlversuche. Fordern Sie einen neuen Code an.
error-code-missing = Es wurde noch kein Code gesendet. Fordern Sie zuerst einen Code an.
error-resend-too-soon = { $seconds ->
    [one] Bitte warten Sie { $seconds } Sekunde, bevor Sie einen neuen Code anfordern.
   *[other] Bitte warten Sie { $seconds } Sekunden, bevor Sie einen neuen Code anfordern.
}
error-user-locked = { $minutes ->
    [one] Ihr Konto ist nach zu vielen Fehlversuchen gesperrt. Versuchen Sie es in { $minutes } Minute erneut.
   *[other] Ihr Konto ist nach zu vielen Fehlversuchen gesperrt. Versuchen Sie es in { $minutes } Minuten erneut.
}
error-user-banned = Dieses Konto kann sich nicht anmelden. Wenden Sie sich an den Support der App.
error-too-many-requests = { $seconds ->
    [one] Zu viele Anfragen. Versuchen Sie es in { $seconds } Sekunde erneut.
   *[other] Zu viele Anfragen. Versuchen Sie es in { $seconds } Sekunden erneut.
}
error-strategy-invalid = Diese Bestätigungsmethode ist für dieses Konto nicht verfügbar.
error-backup-codes-not-available = Backup-Codes gelten nur zusammen mit einem anderen zweiten Faktor.
error-invalid-state = Dieser Schritt ist gerade nicht verfügbar. Beginnen Sie die Anmeldung erneut.
error-sign-in-not-found = Ihre Anmeldung ist abgelaufen. Beginnen Sie erneut.
error-sign-up-not-found = Ihre Registrierung ist abgelaufen. Beginnen Sie erneut.
error-reverification-required = Bestätigen Sie, dass Sie es sind: Geben Sie Ihr Passwort oder einen Code aus Ihrer Authenticator-App ein.
error-mfa-required = Sie können Ihren letzten zweiten Faktor nicht entfernen: Diese App verlangt einen.
error-phone-invalid = Geben Sie die Nummer im internationalen Format ein, z. B. +491701234567.
error-session-not-found = Diese Sitzung ist bereits beendet.
error-passkey-invalid = Dieser Passkey konnte nicht geprüft werden. Versuchen Sie es erneut oder wählen Sie einen anderen Weg.
error-passkey-not-found = Dieser Passkey wurde bereits entfernt.
error-session-exists = Sie sind bereits angemeldet.
error-signed-out = Sie sind abgemeldet.
error-api-key-invalid = Senden Sie einen aktiven geheimen Schlüssel: Authorization: Bearer sk_live_….
error-user-not-found = Diesen Benutzer gibt es nicht.
error-metadata-invalid = Metadaten müssen ein JSON-Objekt von höchstens 8 KB und 16 Ebenen sein.
error-webhook-invalid = Ein Webhook-Endpunkt ist eine https-URL eines öffentlichen Hosts mit bekannten Ereignistypen.
error-address-refused = Eine Adresse pro Benutzer: Fügen Sie sie bestätigt und als primär hinzu; sie ersetzt die Adresse des Benutzers.
error-delivery-failed = Der Code konnte nicht gesendet werden. Versuchen Sie es erneut.
error-bad-request = Die Anfrage konnte nicht gelesen werden.
error-unavailable = Bei uns ist etwas schiefgelaufen. Versuchen Sie es erneut.
# Made in the browser: no answer came from the server.
error-network = Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung.
