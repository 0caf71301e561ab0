# E-mails et SMS. `$app` est le nom de l'instance.

## Un code de vérification par e-mail.
code-subject = { $code } est votre code de vérification
code-first = Votre code de vérification { $app } est { $code }
code-lead = Votre code de vérification est
code-for-this-device = Saisissez-le pour vous connecter sur cet appareil.
code-for-sign-up = Saisissez-le pour terminer la création de votre compte.
code-for-reset-password = Saisissez-le pour réinitialiser votre mot de passe.
code-for-sign-in = Saisissez-le pour vous connecter.
code-for-unlock = Saisissez-le pour débloquer votre compte sur cet appareil.
code-expires = { $minutes ->
    [one] Il expire dans { $minutes } minute et ne sert qu'une fois.
   *[other] Il expire dans { $minutes } minutes et ne sert qu'une fois.
}
code-ignore = Si vous ne l'avez pas demandé, ignorez ce message : quelqu'un a peut-être saisi votre adresse par erreur. Ne communiquez jamais ce code.

## Un code par SMS : le code en premier (les téléphones le lisent là).
sms-code = { $minutes ->
    [one] { $code } est votre code de vérification. Il expire dans { $minutes } minute. Ne le communiquez à personne.
   *[other] { $code } est votre code de vérification. Il expire dans { $minutes } minutes. Ne le communiquez à personne.
}

## Quelqu'un s'est inscrit avec une adresse qui a déjà un compte.
exists-subject = Quelqu'un a tenté de s'inscrire sur { $app } avec votre adresse e-mail
exists-body = Quelqu'un a tenté de créer un compte sur { $app } avec cette adresse e-mail, mais vous en avez déjà un. Aucun compte n'a été créé et rien n'a changé.
exists-sign-in = Si c'était vous, connectez-vous plutôt :
exists-link = Se connecter
exists-ignore = Si ce n'était pas vous, ignorez ce message.

## Un changement de la sécurité du compte.
changed-subject = Vos paramètres de connexion ont changé
password-subject = Votre mot de passe a été modifié
changed-body = Les paramètres de connexion de votre compte { $app } ont changé : { $what }.
changed-review = Si c'est vous, il n'y a rien à faire. Sinon, connectez-vous sans attendre et vérifiez vos seconds facteurs et vos sessions :
changed-link = Vérifier mon compte
change-password-set = un nouveau mot de passe a été défini
change-app-added = une application d'authentification a été ajoutée
change-phone-added = un numéro de téléphone a été ajouté pour les codes par SMS
change-app-removed = une application d'authentification a été retirée
change-phone-removed = un numéro de téléphone a été retiré
change-backup-codes-removed = vos codes de secours ont été supprimés
change-backup-codes-made = de nouveaux codes de secours ont été créés ; les anciens ne fonctionnent plus
change-passkey-added = une clé d'accès a été ajoutée
change-passkey-removed = une clé d'accès a été retirée
change-default-is-app = le second facteur par défaut est désormais votre application d'authentification
change-default-is-phone = le second facteur par défaut est désormais le code par SMS
change-account-deleted = votre compte a été supprimé
change-email-changed = votre adresse e-mail de connexion a été modifiée par les administrateurs de l'application
change-factors-removed = vos seconds facteurs ont été retirés par les administrateurs de l'application
