# Les phrases de l’historique en français ; en.ftl décrit les arguments.

event-authorization-request = { $sp_known ->
    [yes] { $sp } a demandé à utiliser vos données.
   *[no] Un service a demandé à utiliser vos données.
  }
event-prompt-sent = { $sp_known ->
    [yes] On vous a demandé { $via } si vous acceptiez de partager vos données avec { $sp }.
   *[no] On vous a demandé { $via } si vous acceptiez de partager vos données avec un service.
  }
event-prompt-sent-sign-in = { $sp_known ->
    [yes] On vous a demandé { $via } de confirmer votre connexion à { $sp }.
   *[no] On vous a demandé { $via } de confirmer votre connexion à un service.
  }
event-answer-yes = { $sp_known ->
    [yes] Vous avez accepté la demande de { $sp } { $via }.
   *[no] Vous avez accepté la demande d’un service { $via }.
  }
event-answer-no = { $sp_known ->
    [yes] Vous avez refusé la demande de { $sp } { $via }.
   *[no] Vous avez refusé la demande d’un service { $via }.
  }
event-sign-in-yes = { $sp_known ->
    [yes] Vous avez confirmé votre connexion à { $sp } { $via }.
   *[no] Vous avez confirmé votre connexion à un service { $via }.
  }
event-sign-in-no = { $sp_known ->
    [yes] Vous avez refusé de vous connecter à { $sp } { $via }.
   *[no] Vous avez refusé de vous connecter à un service { $via }.
  }
event-consent-long-lived = { $sp_known ->
    [yes] Vous avez autorisé { $sp } à utiliser vos données jusqu’à ce que vous retiriez votre consentement.
   *[no] Vous avez autorisé un service à utiliser vos données jusqu’à ce que vous retiriez votre consentement.
  }
event-consent-until = { $sp_known ->
    [yes] Vous avez autorisé { $sp } à utiliser vos données jusqu’au { $date }, ou jusqu’à ce que vous retiriez votre consentement.
   *[no] Vous avez autorisé un service à utiliser vos données jusqu’au { $date }, ou jusqu’à ce que vous retiriez votre consentement.
  }
event-consent-once = { $sp_known ->
    [yes] Vous avez autorisé { $sp } à utiliser vos données une fois.
   *[no] Vous avez autorisé un service à utiliser vos données une fois.
  }
event-token-issued = { $sp_known ->
    [yes] { $sp } a obtenu l’accès à vos données.
   *[no] Un service a obtenu l’accès à vos données.
  }
event-token-renewed = { $sp_known ->
    [yes] { $sp } a renouvelé son accès à vos données.
   *[no] Un service a renouvelé son accès à vos données.
  }
event-refusal = { $sp_known ->
    [yes] Une demande de { $sp } a été refusée.
   *[no] Une demande d’un service a été refusée.
  }
event-resource-read = { $sp_known ->
    [yes] { $sp } a lu vos données : { $attributes }.
   *[no] Un service a lu vos données : { $attributes }.
  }
event-resource-matched = { $sp_known ->
    [yes] { $sp } a comparé vos données avec les siennes : { $attributes }.
   *[no] Un service a comparé vos données avec les siennes : { $attributes }.
  }
event-resource-none = { $sp_known ->
    [yes] { $sp } a vérifié votre compte ; aucune donnée n’a été partagée.
   *[no] Un service a vérifié votre compte ; aucune donnée n’a été partagée.
  }
event-resource-refused = { $sp_known ->
    [yes] { $sp } a demandé vos données et a essuyé un refus.
   *[no] Une demande de vos données a été refusée.
  }
event-refusals-summary = { $sp_known ->
    [yes] { $count ->
        [one] Une autre demande refusée de { $sp } a été comptée sans être listée.
       *[other] { $count } autres demandes refusées de { $sp } ont été comptées sans être listées.
      }
   *[no] { $count ->
        [one] Une autre demande refusée a été comptée sans être listée.
       *[other] { $count } autres demandes refusées ont été comptées sans être listées.
      }
  }
event-revoked-here = { $sp_known ->
    [yes] Vous avez révoqué l’accès de { $sp } sur cet appareil.
   *[no] Vous avez révoqué l’accès d’un service sur cet appareil.
  }
event-revoked-elsewhere = { $sp_known ->
    [yes] Vous avez révoqué l’accès de { $sp } sur un autre de vos appareils.
   *[no] Vous avez révoqué l’accès d’un service sur un autre de vos appareils.
  }
event-revoked-by-you = { $sp_known ->
    [yes] Vous avez révoqué l’accès de { $sp }.
   *[no] Vous avez révoqué l’accès d’un service.
  }
event-stopped-sharing = { $sp_known ->
    [yes] Vous ne partagez plus ces données avec { $sp } : { $attributes }.
   *[no] Vous ne partagez plus ces données avec un service : { $attributes }.
  }
event-consent-expired = { $sp_known ->
    [yes] L’accès de { $sp } a pris fin : le consentement a expiré.
   *[no] L’accès d’un service a pris fin : le consentement a expiré.
  }
event-revoked-by-operator = { $sp_known ->
    [yes] Le service client a révoqué l’accès de { $sp } à vos données, en votre nom.
   *[no] Le service client a révoqué l’accès d’un service à vos données, en votre nom.
  }
event-sp-gave-up = { $sp_known ->
    [yes] { $sp } a renoncé à son accès à vos données.
   *[no] Un service a renoncé à son accès à vos données.
  }
event-cut-off = { $sp_known ->
    [yes] La passerelle a coupé l’accès de { $sp } pour vous protéger : { $reason }.
   *[no] La passerelle a coupé l’accès d’un service pour vous protéger : { $reason }.
  }
event-sp-told = { $sp_known ->
    [yes] { $sp } a été informé de votre réponse.
   *[no] Un service a été informé de votre réponse.
  }
event-sp-not-told-yet = { $sp_known ->
    [yes] { $sp } n’a pas encore pu être informé de votre réponse ; la passerelle va réessayer.
   *[no] Un service n’a pas encore pu être informé de votre réponse ; la passerelle va réessayer.
  }
event-sp-never-told = { $sp_known ->
    [yes] { $sp } n’a pas pu être informé de votre réponse ; la passerelle a abandonné.
   *[no] Un service n’a pas pu être informé de votre réponse ; la passerelle a abandonné.
  }
event-sp-told-signed-out = { $sp_known ->
    [yes] { $sp } a été prié de vous déconnecter.
   *[no] Un service a été prié de vous déconnecter.
  }
event-sp-told-access-ended = { $sp_known ->
    [yes] { $sp } a été informé que son accès à vos données a pris fin.
   *[no] Un service a été informé que son accès à vos données a pris fin.
  }
event-sp-told-new-device = { $sp_known ->
    [yes] { $sp } a été informé que vous avez ajouté un nouvel appareil.
   *[no] Un service a été informé que vous avez ajouté un nouvel appareil.
  }
event-sp-signal-waiting = { $sp_known ->
    [yes] { $sp } n’a pas encore pu être informé ; la passerelle va réessayer.
   *[no] Un service n’a pas encore pu être informé ; la passerelle va réessayer.
  }
event-sp-signal-refused = { $sp_known ->
    [yes] { $sp } n’a pas accepté l’avis de la passerelle.
   *[no] Un service n’a pas accepté l’avis de la passerelle.
  }
event-you-were-told = { $sp_known ->
    [yes] Vous avez été averti que { $sp } a utilisé vos données.
   *[no] Vous avez été averti qu’un service a utilisé vos données.
  }
event-told-by-sms = Un SMS vous a indiqué quels services ont utilisé vos données.
event-care-told-by-sms = Un SMS vous a indiqué ce que le service client a fait pour vous.
event-you-were-told-check = { $sp_known ->
    [yes] Vous avez été averti que { $sp } a vérifié votre compte.
   *[no] Vous avez été averti qu’un service a vérifié votre compte.
  }
event-expiry-reminder = { $sp_known ->
    [yes] Rappel : l’accès de { $sp } prend fin le { $date }.
   *[no] Rappel : l’accès d’un service prend fin le { $date }.
  }
event-reported = { $sp_known ->
    [yes] Vous avez signalé { $sp } à l’opérateur.
   *[no] Vous avez signalé un service à l’opérateur.
  }
event-sp-registered = { $sp_known ->
    [yes] L’opérateur a enregistré { $sp }.
   *[no] L’opérateur a enregistré un service.
  }
event-sp-blocked = { $sp_known ->
    [yes] L’opérateur a bloqué { $sp }.
   *[no] L’opérateur a bloqué un service.
  }
event-sp-unblocked = { $sp_known ->
    [yes] L’opérateur a débloqué { $sp }.
   *[no] L’opérateur a débloqué un service.
  }
event-other = { $sp_known ->
    [yes] Un événement de type « { $kind } » a été enregistré pour { $sp }.
   *[no] Un événement de type « { $kind } » a été enregistré.
  }
event-answer-signed = { $device ->
    [this] Cet appareil a signé votre réponse sur le texte exact que vous avez vu.
   *[other] L’un de vos appareils a signé votre réponse sur le texte exact que vous avez vu.
  }
event-device-added = { $device ->
    [this] Cet appareil a été ajouté à votre compte.
   *[other] Un nouvel appareil a été ajouté à votre compte.
  }
event-device-waiting = { $device ->
    [this] Cet appareil a demandé à rejoindre votre compte et attend d’être approuvé sur un appareil que vous avez déjà.
   *[other] Un nouvel appareil a demandé à rejoindre votre compte et attend votre approbation.
  }
event-device-renewed = { $device ->
    [this] Le certificat de cet appareil a été renouvelé.
   *[other] Le certificat de l’un de vos appareils a été renouvelé.
  }
event-device-revoked-by-you = { $device ->
    [this] Vous avez révoqué cet appareil.
   *[other] Vous avez révoqué l’un de vos appareils.
  }
event-device-revoked-by-operator = { $device ->
    [this] L’opérateur a révoqué cet appareil.
   *[other] L’opérateur a révoqué l’un de vos appareils.
  }
event-device-approved = Vous avez approuvé l’ajout d’un nouvel appareil à votre compte.
event-device-refused = Vous avez refusé l’ajout d’un nouvel appareil à votre compte.
event-certificate-issued = Un certificat a été émis pour votre numéro après que vous l’avez prouvé par SMS.
event-certificate-revoked = Un certificat de votre numéro a été révoqué.
event-sim-changed = Votre carte SIM a changé le { $date } ; les preuves de votre numéro sont suspendues pendant un temps.
event-authenticators-changed = L’opérateur a changé la façon dont votre consentement vous est demandé.
event-number-unlocked = L’opérateur a débloqué la vérification de votre numéro.
reason-code-reused = un code de connexion a été utilisé deux fois
reason-refresh-reused = une ancienne clé d’accès a été réutilisée
reason-push-unconfirmed = la réception de vos données n’a pas été confirmée
reason-other = quelque chose semblait anormal
via-app = dans l’application
via-ussd = par USSD
via-sms = par SMS
via-browser = dans votre navigateur
via-other = sur votre téléphone

kind-authorization_request = Demandes des services
kind-prompt_sent = Questions qui vous ont été posées
kind-answer = Vos réponses
kind-consent = Vos consentements
kind-token_issued = Accès accordés aux services
kind-refusal = Demandes refusées
kind-revocation = Accès retirés
kind-resource_access = Données utilisées par les services
kind-notification = Avis
kind-sp_flagged = Services que vous avez signalés
kind-admin = Votre compte et vos appareils
kind-resource_refused = Demandes de données refusées

fact-details = Détails
fact-kind = Type
fact-seq = Entrée
fact-hash = Empreinte
fact-authenticator = Authentification
fact-detail = Détail enregistré
fact-service = Service
fact-consent = Consentement
fact-scope = Portée (scope)
fact-prompt = Texte que vous avez vu
fact-endpoint = Point d’accès
fact-reason = Motif
fact-device = Appareil
fact-certificate = Certificat
fact-token = Jeton
fact-flow = Parcours
fact-channel = Canal
fact-expires = Fin
fact-attributes = Attributs

list-comma = {", "}
list-and = { $head } et { $last }
date-day-month = { $day } { $month }
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre
