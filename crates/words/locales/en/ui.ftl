# The pages. Islands word them in the browser too, from the page's copy of
# its language (values filled in, plurals chosen by the browser's rules).

## Shared by the forms.
loading = Loading…
code = Code
show-password = Show password
verify = Verify
verifying = Verifying…
continue = Continue
send-code = Send code
resend-code = Resend code
# A countdown: the seconds until another code may be sent.
resend-code-in = { $label } ({ $n })
code-resent = A new code was sent.
try-again-now = You can try again now.
# A countdown, every second.
try-again-in = { $n ->
    [one] Too many requests. Try again in { $n } second.
   *[other] Too many requests. Try again in { $n } seconds.
}
email-address = Email address
password = Password
new-password = New password
password-advice = At least 8 characters. Long phrases are best.
sign-out-others = Sign out of all other devices
sign-out = Sign out
saving = Saving…

## The methods, as the pages name them.
method-totp = Authenticator app
method-phone = Text message
method-backup-code = Backup code
method-email-code = Email code
method-password = Password
method-reset-code = Password reset code
method-unlock-code = Unlock code
method-passkey = Passkey

## Sign in.
sign-in = Sign in
sign-in-to = Sign in to { $app }
sign-in-welcome = Welcome back! Please sign in to continue.
unlocked = Your account is unlocked in this browser. Sign in to continue.
enter-email = Enter email address
enter-password = Enter password
signing-in = Signing in…
sign-in-passkey = Sign in with a passkey
unlock-link = Unlock this browser with an email code
forgot-password = Forgot password?
email-me-code = Email me a sign-in code
no-account = No account?
sign-up = Sign up
next-step-loading = Loading the next step…
use-another-account = Use another account
verified = You're verified

## Starting from the email address alone.
reset-title = Reset your password
reset-hint = We will email you a code to set a new password.
unlock-title = Unlock your account
unlock-hint = Too many failed tries locked your account. We will email you a code that lets this browser try again.
email-code-title = Sign in with an email code
email-code-hint = We will email you a code to sign in with instead of your password.
back-to-sign-in = Back to sign in

## The code steps.
check-email = Check your email
your-email = your email
code-sent-to = Enter the code we sent to { $to }.
code-will-go-to = We will send a code to { $to }.
new-browser = This browser is new to your account. Enter the code we sent to { $to }.
verify-device = Verify this device
choose-password = Choose a new password
set-password = Set password

## The second factor.
verify-account = Verify your account
use-passkey = Use a passkey
verify-with = Verify with
totp-hint = Enter the 6-digit code from your authenticator app.
your-phone = your phone
sms-sent = Enter the code we sent to { $to }.
sms-send = Send a code to { $to } by text message, then enter it here.
backup-hint = Enter one of your backup codes.
send-sms = Send code by text message

## Sign up.
sign-up-title = Create your account
sign-up-welcome = Welcome! Please fill in the details to get started.
creating-account = Creating your account…
have-account = Have an account?
sign-up-code-hint = Enter the 6-digit code we sent to { $to }.
use-another-email = Use another email
email-verified = Your email is verified

## Home.
home = Home
welcome = Welcome
signed-in-as = Signed in as
home-no-codes = You have no backup codes: if you lose your second factor, they are how you get back in.
make-backup-codes = Make backup codes
no-second-factor = No second factor set up.
second-factors = Second factors: { $factors }.
security-settings = Security settings
active-sessions = Active sessions
not-found = Page not found
go-to-sign-in = Go to sign in
# Between the items of a list.
list-separator = {", "}

## The methods inside a sentence.
inline-totp = authenticator app
inline-phone = text message
inline-backup-code = backup code
inline-email-code = email code
inline-password = password
inline-reset-code = password reset code
inline-unlock-code = unlock code
inline-passkey = passkey

## What a change did.
now-default = { $method } is now your default.
method-removed = { $method } removed.
method-added = { $method } added.
notice-reverified = Thanks: you can make the change now.
notice-session-revoked = Session revoked.
notice-others-revoked = Signed out of every other session.
notice-device-revoked = Trusted device revoked: it proves itself by email next time.
notice-default-set = Your default is changed.
notice-removed = Removed.
notice-passkey-removed = Passkey removed.
notice-passkey-renamed = Passkey renamed.
notice-totp-started = Scan the QR code with your app, then enter the code it shows.
notice-added = Added.
notice-codes-made = New backup codes made: the old ones no longer work.

## The security page.
back-home = Back home
second-factors-title = Second factors
default-badge = default
make-default = Make default
make-default-named = Make default: { $method }
remove = Remove
remove-named = Remove { $method }
remove-your = Remove your { $method }?
remove-hint = You will no longer be able to sign in with it.
remove-passkey-question = Remove the passkey "{ $name }"?
no-factor-yet = No second factor yet.
backup-codes = Backup codes
backup-unused = { $n } unused.
new-codes = Generate new codes
change-password = Change password
your-account = Your account
download-data = Download my data
download-data-hint = (your profile, factors, sessions and account history, as JSON)
delete-account = Delete my account
new-codes-question = Make new backup codes?
codes-will-stop = { $n ->
    [one] Your { $n } unused code will stop working.
   *[other] Your { $n } unused codes will stop working.
}
make-new-codes = Make new codes
keep-codes = Keep my codes
delete-question = Delete your account?
delete-hint = Everything in it goes with it. This cannot be undone.
delete-it = Delete it
keep-account = Keep my account
delete-confirm = Delete your account and everything in it? This cannot be undone.
keep-it = Keep it

## Confirm it's you.
confirm-title = Confirm it's you
reverify-window = { $n ->
    [one] This change needs your password (or an authenticator code) from the last minute.
   *[other] This change needs your password (or an authenticator code) from the last { $n } minutes.
}
authenticator-code = Authenticator code
confirm = Confirm
use-password = Use your password
use-app = Use your authenticator app

## Adding factors.
password-changed = Your password was changed.
add-app = Add an authenticator app
scan-qr = Scan this QR code with your app, or enter the secret by hand.
copied = Copied
copy-secret = Copy secret
open-in-app = Open in app
app-code = Code from the app
enable = Enable
passkeys = Passkeys
synced-badge = synced
passkey-used = last used { $when }
passkey-unused = added { $when }, not used yet
remove-passkey-named = Remove passkey { $name }
rename-passkey-named = Rename passkey { $name }
rename = Rename
new-name = New name
save = Save
cancel = Cancel
no-passkey = No passkey yet.
passkey-needs-js = Adding a passkey needs JavaScript. An authenticator app or a phone works without it.
passkey-name = Passkey name (optional)
add-passkey = Add a passkey
add-phone = Add a phone number
phone-number = Phone number
phone-international = Phone number (international format)
verify-phone = Verify phone
backup-codes-hint = Each code works once, if you lose your other factors. Keep them somewhere safe: they are shown only now.
copy = Copy
download = Download

## The session tasks.
setup-mfa-title = Set up two-step verification
all-set = You're all set
needs-factor = Your account needs a second factor before you can go on.
recommended = Recommended
other-ways = Other ways
advice-phone = Text messages are the easiest to set up, and the least safe: a phone number can be taken over.
advice-passkey = A passkey: your fingerprint, face or screen lock signs you in. Nothing to type, and it cannot be phished.
advice-app = An authenticator app (Google Authenticator, 1Password, Authy…) shows a new code every 30 seconds, even offline.
compromised = Your password is known to be compromised: it may be on a list of breached passwords. Choose a new one to go on.

## Sessions and trusted devices.
unknown-ip = unknown IP
session-detail = { $ip } · signed in { $created } · last active { $active }
device-detail = { $ip } · trusted { $trusted } · last used { $used }
revoke = Revoke
revoke-named = Revoke { $device }
sign-out-named = Sign out { $device }
sign-out-elsewhere = Sign out everywhere else
trusted-devices = Trusted devices
trusted-hint = Browsers you signed in on skip the emailed code. Revoke one and it must prove itself again.
this-device = this device
device-on = { $browser } on { $os }
android-app = Android app
ios-app = iOS app
native-app = Native app
unknown-device = Unknown device

## Moments (the browser words the rest: "5 minutes ago", "3 Dec, 17:25").
just-now = just now
# `$day` is the browser's "today" or "yesterday".
day-at = { $day } at { $time }

## The language menu.
language = Language
change-language = Change
