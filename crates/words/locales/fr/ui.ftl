# Les pages. Les îlots les rédigent aussi dans le navigateur, d'après la
# copie de la page (valeurs remplies, pluriels choisis par le navigateur).

## Commun aux formulaires.
loading = Chargement…
code = Code
show-password = Afficher le mot de passe
verify = Vérifier
verifying = Vérification…
continue = Continuer
send-code = Envoyer le code
resend-code = Renvoyer le code
resend-code-in = { $label } ({ $n })
code-resent = Un nouveau code a été envoyé.
try-again-now = Vous pouvez réessayer.
try-again-in = { $n ->
    [one] Trop de tentatives. Réessayez dans { $n } seconde.
   *[other] Trop de tentatives. Réessayez dans { $n } secondes.
}
email-address = Adresse e-mail
password = Mot de passe
new-password = Nouveau mot de passe
password-advice = Au moins 8 caractères. Une longue phrase est idéale.
sign-out-others = Me déconnecter de tous les autres appareils
sign-out = Se déconnecter
saving = Enregistrement…

## Les méthodes.
method-totp = Application d'authentification
method-phone = SMS
method-backup-code = Code de secours
method-email-code = Code par e-mail
method-password = Mot de passe
method-reset-code = Code de réinitialisation
method-unlock-code = Code de déblocage
method-passkey = Clé d'accès

## Connexion.
sign-in = Se connecter
sign-in-to = Connexion à { $app }
sign-in-welcome = Bon retour ! Connectez-vous pour continuer.
unlocked = Votre compte est débloqué dans ce navigateur. Connectez-vous pour continuer.
enter-email = Adresse e-mail
enter-password = Mot de passe
signing-in = Connexion…
sign-in-passkey = Se connecter avec une clé d'accès
unlock-link = Débloquer ce navigateur avec un code par e-mail
forgot-password = Mot de passe oublié ?
email-me-code = Recevoir un code de connexion par e-mail
no-account = Pas de compte ?
sign-up = S'inscrire
next-step-loading = Chargement de l'étape suivante…
use-another-account = Utiliser un autre compte
verified = Vous êtes vérifié

## À partir de l'adresse e-mail seule.
reset-title = Réinitialiser votre mot de passe
reset-hint = Nous vous enverrons par e-mail un code pour choisir un nouveau mot de passe.
unlock-title = Débloquer votre compte
unlock-hint = Trop d'essais infructueux ont bloqué votre compte. Nous vous enverrons par e-mail un code qui permet à ce navigateur de réessayer.
email-code-title = Se connecter avec un code par e-mail
email-code-hint = Nous vous enverrons par e-mail un code pour vous connecter sans mot de passe.
back-to-sign-in = Retour à la connexion

## Les étapes à code.
check-email = Consultez vos e-mails
your-email = votre adresse e-mail
code-sent-to = Saisissez le code envoyé à { $to }.
code-will-go-to = Nous enverrons un code à { $to }.
new-browser = Ce navigateur est nouveau pour votre compte. Saisissez le code envoyé à { $to }.
verify-device = Vérifier cet appareil
choose-password = Choisissez un nouveau mot de passe
set-password = Enregistrer le mot de passe

## Le second facteur.
verify-account = Vérifiez votre compte
use-passkey = Utiliser une clé d'accès
verify-with = Vérifier avec
totp-hint = Saisissez le code à 6 chiffres de votre application d'authentification.
your-phone = votre téléphone
sms-sent = Saisissez le code envoyé à { $to }.
sms-send = Envoyez un code par SMS à { $to }, puis saisissez-le ici.
backup-hint = Saisissez l'un de vos codes de secours.
send-sms = Envoyer le code par SMS

## Inscription.
sign-up-title = Créez votre compte
sign-up-welcome = Bienvenue ! Remplissez les champs pour commencer.
creating-account = Création du compte…
have-account = Déjà un compte ?
sign-up-code-hint = Saisissez le code à 6 chiffres envoyé à { $to }.
use-another-email = Utiliser une autre adresse
email-verified = Votre adresse e-mail est vérifiée

## Accueil.
home = Accueil
welcome = Bienvenue
signed-in-as = Connecté en tant que
home-no-codes = Vous n'avez pas de codes de secours : si vous perdez votre second facteur, ce sont eux qui vous permettent de revenir.
make-backup-codes = Créer des codes de secours
no-second-factor = Aucun second facteur configuré.
second-factors = Seconds facteurs : { $factors }.
security-settings = Paramètres de sécurité
active-sessions = Sessions actives
not-found = Page introuvable
go-to-sign-in = Aller à la connexion
list-separator = {", "}

## Les méthodes dans une phrase.
inline-totp = application d'authentification
inline-phone = SMS
inline-backup-code = code de secours
inline-email-code = code par e-mail
inline-password = mot de passe
inline-reset-code = code de réinitialisation
inline-unlock-code = code de déblocage
inline-passkey = clé d'accès

## Ce qu'un changement a fait.
now-default = { $method } est désormais votre méthode par défaut.
method-removed = { $method } : supprimé.
method-added = { $method } : ajouté.
notice-reverified = Merci : vous pouvez maintenant faire la modification.
notice-session-revoked = Session révoquée.
notice-others-revoked = Déconnecté de toutes les autres sessions.
notice-device-revoked = Appareil de confiance révoqué : il devra se vérifier par e-mail la prochaine fois.
notice-default-set = Votre méthode par défaut a changé.
notice-removed = Supprimé.
notice-passkey-removed = Clé d'accès supprimée.
notice-passkey-renamed = Clé d'accès renommée.
notice-totp-started = Scannez le code QR avec votre application, puis saisissez le code qu'elle affiche.
notice-added = Ajouté.
notice-codes-made = Nouveaux codes de secours créés : les anciens ne fonctionnent plus.

## La page de sécurité.
back-home = Retour à l'accueil
second-factors-title = Seconds facteurs
default-badge = par défaut
make-default = Par défaut
make-default-named = Choisir par défaut : { $method }
remove = Supprimer
remove-named = Supprimer : { $method }
remove-your = Supprimer votre { $method } ?
remove-hint = Vous ne pourrez plus vous connecter avec.
remove-passkey-question = Supprimer la clé d'accès « { $name } » ?
no-factor-yet = Aucun second facteur pour l'instant.
backup-codes = Codes de secours
backup-unused = { $n ->
    [one] { $n } non utilisé.
   *[other] { $n } non utilisés.
}
new-codes = Générer de nouveaux codes
change-password = Changer le mot de passe
your-account = Votre compte
download-data = Télécharger mes données
download-data-hint = (votre profil, vos facteurs, vos sessions et l'historique du compte, en JSON)
delete-account = Supprimer mon compte
new-codes-question = Créer de nouveaux codes de secours ?
codes-will-stop = { $n ->
    [one] Votre { $n } code non utilisé cessera de fonctionner.
   *[other] Vos { $n } codes non utilisés cesseront de fonctionner.
}
make-new-codes = Créer de nouveaux codes
keep-codes = Garder mes codes
delete-question = Supprimer votre compte ?
delete-hint = Tout ce qu'il contient disparaîtra avec lui. C'est irréversible.
delete-it = Le supprimer
keep-account = Garder mon compte
delete-confirm = Supprimer votre compte et tout ce qu'il contient ? C'est irréversible.
keep-it = Garder

## Confirmer votre identité.
confirm-title = Confirmez que c'est bien vous
reverify-window = { $n ->
    [one] Cette modification demande votre mot de passe (ou un code d'authentification) saisi dans la dernière minute.
   *[other] Cette modification demande votre mot de passe (ou un code d'authentification) saisi depuis moins de { $n } minutes.
}
authenticator-code = Code d'authentification
confirm = Confirmer
use-password = Utiliser votre mot de passe
use-app = Utiliser votre application d'authentification

## Ajouter des facteurs.
password-changed = Votre mot de passe a été changé.
add-app = Ajouter une application d'authentification
scan-qr = Scannez ce code QR avec votre application, ou saisissez la clé secrète à la main.
copied = Copié
copy-secret = Copier la clé secrète
open-in-app = Ouvrir dans l'application
app-code = Code de l'application
enable = Activer
passkeys = Clés d'accès
synced-badge = synchronisée
passkey-used = utilisée { $when }
passkey-unused = ajoutée { $when }, pas encore utilisée
remove-passkey-named = Supprimer la clé d'accès { $name }
rename-passkey-named = Renommer la clé d'accès { $name }
rename = Renommer
new-name = Nouveau nom
save = Enregistrer
cancel = Annuler
no-passkey = Aucune clé d'accès pour l'instant.
passkey-needs-js = Ajouter une clé d'accès nécessite JavaScript. Une application d'authentification ou un téléphone fonctionne sans.
passkey-name = Nom de la clé d'accès (facultatif)
add-passkey = Ajouter une clé d'accès
add-phone = Ajouter un numéro de téléphone
phone-number = Numéro de téléphone
phone-international = Numéro de téléphone (format international)
verify-phone = Vérifier le téléphone
backup-codes-hint = Chaque code ne sert qu'une fois, si vous perdez vos autres facteurs. Gardez-les en lieu sûr : ils ne sont affichés que maintenant.
copy = Copier
download = Télécharger

## Les tâches de session.
setup-mfa-title = Activer la vérification en deux étapes
all-set = Tout est prêt
needs-factor = Votre compte a besoin d'un second facteur avant de continuer.
recommended = Recommandé
other-ways = Autres moyens
advice-phone = Les SMS sont les plus simples à configurer, et les moins sûrs : un numéro de téléphone peut être détourné.
advice-passkey = Une clé d'accès : votre empreinte, votre visage ou le verrouillage de l'écran vous connecte. Rien à saisir, et impossible à hameçonner.
advice-app = Une application d'authentification (Google Authenticator, 1Password, Authy…) affiche un nouveau code toutes les 30 secondes, même hors ligne.
compromised = Votre mot de passe est connu pour être compromis : il figure peut-être sur une liste de mots de passe divulgués. Choisissez-en un nouveau pour continuer.

## Sessions et appareils de confiance.
unknown-ip = IP inconnue
session-detail = { $ip } · connexion { $created } · dernière activité { $active }
device-detail = { $ip } · approuvé { $trusted } · dernière utilisation { $used }
revoke = Révoquer
revoke-named = Révoquer { $device }
sign-out-named = Déconnecter { $device }
sign-out-elsewhere = Me déconnecter partout ailleurs
trusted-devices = Appareils de confiance
trusted-hint = Les navigateurs où vous vous êtes connecté se passent du code par e-mail. Révoquez-en un et il devra de nouveau faire ses preuves.
this-device = cet appareil
device-on = { $browser } sur { $os }
android-app = Application Android
ios-app = Application iOS
native-app = Application native
unknown-device = Appareil inconnu

## Moments.
just-now = à l'instant
day-at = { $day } à { $time }

## Le menu des langues.
language = Langue
change-language = Changer
