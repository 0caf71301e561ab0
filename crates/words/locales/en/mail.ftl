# Emails and text messages. `$app` is the instance's name.

## A verification code by email.
code-subject = { $code } is your verification code
# The text form's first line.
code-first = Your { $app } verification code is { $code }
# The HTML form: above the code, set large.
code-lead = Your verification code is
code-for-this-device = Enter it to sign in on this device.
code-for-sign-up = Enter it to finish creating your account.
code-for-reset-password = Enter it to reset your password.
code-for-sign-in = Enter it to sign in.
code-for-unlock = Enter it to unlock your account on this device.
code-expires = { $minutes ->
    [one] It expires in { $minutes } minute and works once.
   *[other] It expires in { $minutes } minutes and works once.
}
code-ignore = If you did not ask for it, you can ignore this message; someone may have typed your address by mistake. Never share this code.

## A code by text message: the code comes first (phones read it there).
sms-code = { $minutes ->
    [one] { $code } is your verification code. It expires in { $minutes } minute. Don't share it.
   *[other] { $code } is your verification code. It expires in { $minutes } minutes. Don't share it.
}

## Someone signed up with an address that has an account.
exists-subject = Someone tried to sign up for { $app } with your email address
exists-body = Someone tried to create an account on { $app } with this email address, but you already have one. No new account was created and nothing was changed.
exists-sign-in = If it was you, sign in instead:
exists-link = Sign in
exists-ignore = If it was not you, you can ignore this message.

## A change to the account's security.
changed-subject = Your sign-in settings changed
password-subject = Your password was changed
changed-body = The sign-in settings of your { $app } account changed: { $what }.
changed-review = If you made this change, there is nothing to do. If you did not, sign in and review your second factors and sessions at once:
changed-link = Review your account
change-password-set = a new password was set
change-app-added = an authenticator app was added
change-phone-added = a phone number was added for text-message codes
change-app-removed = an authenticator app was removed
change-phone-removed = a phone number was removed
change-backup-codes-removed = your backup codes were removed
change-backup-codes-made = new backup codes were made; the old ones no longer work
change-passkey-added = a passkey was added
change-passkey-removed = a passkey was removed
change-default-is-app = the default second factor is now your authenticator app
change-default-is-phone = the default second factor is now text-message codes
change-account-deleted = your account was deleted
change-email-changed = your sign-in email address was changed by the app's administrators
change-factors-removed = your second factors were removed by the app's administrators
