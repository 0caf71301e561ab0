# Les erreurs d'une réponse, rédigées d'après leur code et leurs paramètres.

error-missing-email = Saisissez votre adresse e-mail.
error-missing-password = Saisissez votre mot de passe.
error-missing-code = Saisissez le code.
error-missing-strategy = Choisissez comment vous vérifier.
error-missing-phone = Saisissez un numéro de téléphone.
error-missing-passkey = Utilisez votre clé d'accès pour continuer.
error-missing-name = Saisissez un nom.
error-email-invalid = Saisissez une adresse e-mail valide.
error-email-taken = Cette adresse e-mail est déjà utilisée. Connectez-vous plutôt.
error-password-too-short = Le mot de passe doit compter au moins { $n } caractères.
error-password-too-long = Le mot de passe doit compter au plus { $n } caractères.
error-password-pwned = Ce mot de passe figure sur une liste de mots de passe courants ou divulgués. Pour votre sécurité, choisissez-en un autre.
error-password-weak = Votre mot de passe ne doit pas contenir votre adresse e-mail.
error-password-same = Votre nouveau mot de passe doit être différent de l'actuel.
error-password-incorrect = Adresse e-mail ou mot de passe incorrect.
error-code-incorrect = Code incorrect.
error-tries-left = { $left ->
    [0] Trop d'essais infructueux : votre compte est désormais bloqué pour un moment.
    [one] Encore { $left } essai avant le blocage de votre compte.
   *[other] Encore { $left } essais avant le blocage de votre compte.
}
error-code-expired = Ce code a expiré. Demandez-en un nouveau.
error-code-locked = Trop de tentatives infructueuses. Demandez un nouveau code.
error-code-missing = Aucun code n'a encore été envoyé. Demandez d'abord un code.
error-resend-too-soon = { $seconds ->
    [one] Patientez { $seconds } seconde avant de demander un nouveau code.
   *[other] Patientez { $seconds } secondes avant de demander un nouveau code.
}
error-user-locked = { $minutes ->
    [one] Votre compte est bloqué après trop de tentatives infructueuses. Réessayez dans { $minutes } minute.
   *[other] Votre compte est bloqué après trop de tentatives infructueuses. Réessayez dans { $minutes } minutes.
}
error-user-banned = Ce compte ne peut pas se connecter. Contactez l'assistance de l'application.
error-too-many-requests = { $seconds ->
    [one] Trop de requêtes. Réessayez dans { $seconds } seconde.
   *[other] Trop de requêtes. Réessayez dans { $seconds } secondes.
}
error-strategy-invalid = Cette méthode de vérification n'est pas disponible pour ce compte.
error-backup-codes-not-available = Les codes de secours ne s'utilisent qu'avec un autre second facteur.
error-invalid-state = Cette étape n'est pas disponible pour l'instant. Recommencez la connexion.
error-sign-in-not-found = Votre connexion a expiré. Recommencez.
error-sign-up-not-found = Votre inscription a expiré. Recommencez.
error-reverification-required = Confirmez votre identité : saisissez votre mot de passe ou un code de votre application d'authentification.
error-mfa-required = Vous ne pouvez pas retirer votre dernier second facteur : cette application en exige un.
error-phone-invalid = Saisissez le numéro au format international, par exemple +33612345678.
error-session-not-found = Cette session est déjà terminée.
error-passkey-invalid = Cette clé d'accès n'a pas pu être vérifiée. Réessayez ou utilisez un autre moyen.
error-passkey-not-found = Cette clé d'accès a déjà été retirée.
error-session-exists = Vous êtes déjà connecté.
error-signed-out = Vous êtes déconnecté.
error-api-key-invalid = Envoyez une clé secrète active : Authorization: Bearer sk_live_….
error-user-not-found = Utilisateur introuvable.
error-metadata-invalid = Les métadonnées doivent être un objet JSON d'au plus 8 Ko et 16 niveaux.
error-webhook-invalid = Un point de terminaison de webhook est une URL https d'un hôte public, avec des types d'événements connus.
error-address-refused = Une adresse par utilisateur : ajoutez-la vérifiée et principale ; elle remplace l'adresse de l'utilisateur.
error-delivery-failed = Nous n'avons pas pu envoyer le code. Réessayez.
error-bad-request = La requête n'a pas pu être lue.
error-unavailable = Un problème est survenu de notre côté. Réessayez.
# Made in the browser: no answer came from the server.
error-network = Impossible de joindre le serveur. Vérifiez votre connexion.
