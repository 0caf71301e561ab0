# E-Mails und SMS. `$app` ist der Name der Instanz.

## Ein Bestätigungscode per E-Mail.
code-subject = { $code } ist Ihr Bestätigungscode
code-first = Ihr Bestätigungscode für { $app } lautet { $code }
code-lead = Ihr Bestätigungscode lautet
code-for-this-device = Geben Sie ihn ein, um sich auf diesem Gerät anzumelden.
code-for-sign-up = Geben Sie ihn ein, um die Erstellung Ihres Kontos abzuschließen.
code-for-reset-password = Geben Sie ihn ein, um Ihr Passwort zurückzusetzen.
code-for-sign-in = Geben Sie ihn ein, um sich anzumelden.
code-for-unlock = Geben Sie ihn ein, um Ihr Konto auf diesem Gerät zu entsperren.
code-expires = { $minutes ->
    [one] Er läuft in { $minutes } Minute ab und gilt nur einmal.
   *[other] Er läuft in { $minutes } Minuten ab und gilt nur einmal.
}
code-ignore = Wenn Sie ihn nicht angefordert haben, können Sie diese Nachricht ignorieren; vielleicht hat jemand Ihre Adresse versehentlich eingegeben. Geben Sie diesen Code niemals weiter.

## Ein Code per SMS: der Code zuerst (Telefone lesen ihn dort).
sms-code = { $minutes ->
    [one] { $code } ist Ihr Bestätigungscode. Er läuft in { $minutes } Minute ab. Geben Sie ihn nicht weiter.
   *[other] { $code } ist Ihr Bestätigungscode. Er läuft in { $minutes } Minuten ab. Geben Sie ihn nicht weiter.
}

## Jemand hat sich mit einer Adresse registriert, zu der es schon ein Konto gibt.
exists-subject = Jemand wollte sich mit Ihrer E-Mail-Adresse bei { $app } registrieren
exists-body = Jemand wollte mit dieser E-Mail-Adresse ein Konto bei { $app } erstellen, aber Sie haben bereits eines. Es wurde kein neues Konto erstellt und nichts geändert.
exists-sign-in = Wenn Sie das waren, melden Sie sich stattdessen an:
exists-link = Anmelden
exists-ignore = Wenn Sie das nicht waren, können Sie diese Nachricht ignorieren.

## Eine Änderung an der Sicherheit des Kontos.
changed-subject = Ihre Anmeldeeinstellungen wurden geändert
password-subject = Ihr Passwort wurde geändert
changed-body = Die Anmeldeeinstellungen Ihres { $app }-Kontos wurden geändert: { $what }.
changed-review = Wenn Sie das waren, ist nichts zu tun. Wenn nicht, melden Sie sich sofort an und prüfen Sie Ihre zweiten Faktoren und Sitzungen:
changed-link = Konto prüfen
change-password-set = ein neues Passwort wurde festgelegt
change-app-added = eine Authenticator-App wurde hinzugefügt
change-phone-added = eine Telefonnummer für SMS-Codes wurde hinzugefügt
change-app-removed = eine Authenticator-App wurde entfernt
change-phone-removed = eine Telefonnummer wurde entfernt
change-backup-codes-removed = Ihre Backup-Codes wurden entfernt
change-backup-codes-made = neue Backup-Codes wurden erstellt; die alten gelten nicht mehr
change-passkey-added = ein Passkey wurde hinzugefügt
change-passkey-removed = ein Passkey wurde entfernt
change-default-is-app = der zweite Standardfaktor ist jetzt Ihre Authenticator-App
change-default-is-phone = der zweite Standardfaktor sind jetzt SMS-Codes
change-account-deleted = Ihr Konto wurde gelöscht
change-email-changed = Ihre Anmelde-E-Mail-Adresse wurde von den Administratoren der App geändert
change-factors-removed = Ihre zweiten Faktoren wurden von den Administratoren der App entfernt
