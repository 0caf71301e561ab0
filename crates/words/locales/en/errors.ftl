# The errors an answer carries, worded from their code and parameters.

error-missing-email = Enter your email address.
error-missing-password = Enter your password.
error-missing-code = Enter the code.
error-missing-strategy = Choose how to verify.
error-missing-phone = Enter a phone number.
error-missing-passkey = Use your passkey to go on.
error-missing-name = Enter a name.
error-email-invalid = Enter a valid email address.
error-email-taken = That email address is taken. Sign in instead.
error-password-too-short = Passwords must be { $n } characters or more.
error-password-too-long = Passwords must be { $n } characters or fewer.
error-password-pwned = This password is on a list of common or breached passwords. For your safety, choose another one.
error-password-weak = Your password must not contain your email address.
error-password-same = Your new password must differ from your current one.
error-password-incorrect = Email address or password is incorrect.
error-code-incorrect = Incorrect code.
# Added after a wrong password or code when few tries are left.
error-tries-left = { $left ->
    [0] Too many failed tries: your account is now locked for a while.
    [one] { $left } try left before your account is locked.
   *[other] { $left } tries left before your account is locked.
}
error-code-expired = This code has expired. Request a new one.
error-code-locked = Too many failed attempts. Request a new code.
error-code-missing = No code was sent yet. Request a code first.
error-resend-too-soon = { $seconds ->
    [one] Please wait { $seconds } second before requesting a new code.
   *[other] Please wait { $seconds } seconds before requesting a new code.
}
error-user-locked = { $minutes ->
    [one] Your account is locked after too many failed attempts. Try again in { $minutes } minute.
   *[other] Your account is locked after too many failed attempts. Try again in { $minutes } minutes.
}
error-user-banned = This account can't sign in. Contact the app's support.
error-too-many-requests = { $seconds ->
    [one] Too many requests. Try again in { $seconds } second.
   *[other] Too many requests. Try again in { $seconds } seconds.
}
error-strategy-invalid = This verification method is not available for this account.
error-backup-codes-not-available = Backup codes can only be used with another second factor.
error-invalid-state = This step is not available now. Start the sign-in again.
error-sign-in-not-found = Your sign-in has expired. Start again.
error-sign-up-not-found = Your sign-up has expired. Start again.
error-reverification-required = Confirm it's you: enter your password or a code from your authenticator app.
error-mfa-required = You can't remove your last second factor: this app requires one.
error-phone-invalid = Enter the number in international format, e.g. +15555550123.
error-session-not-found = That session has already ended.
error-passkey-invalid = This passkey could not be verified. Try again, or use another way.
error-passkey-not-found = That passkey was already removed.
error-session-exists = You are already signed in.
error-signed-out = You are signed out.
error-api-key-invalid = Send an active secret key: Authorization: Bearer sk_live_….
error-user-not-found = No such user.
error-metadata-invalid = Metadata must be a JSON object of at most 8 KB and 16 levels.
error-webhook-invalid = A webhook endpoint is an https URL of a public host, with known event types.
error-address-refused = One address per user: add it verified and primary, and it replaces the user's address.
error-delivery-failed = We could not send the code. Try again.
error-bad-request = The request could not be read.
error-unavailable = Something went wrong on our side. Try again.
# Made in the browser: no answer came from the server.
error-network = Could not reach the server. Check your connection.
