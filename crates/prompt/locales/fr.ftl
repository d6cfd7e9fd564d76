# French typography puts a space before ':' and '?'; the wrapper never breaks before them.
prompt-request = { $client } demande : { $attributes }.
prompt-assurance = Confirmez que ces données sont les vôtres et que vous êtes majeur.
prompt-ask = Partager ?
prompt-yes = Oui
prompt-no = Non
signin-request = { $client } souhaite vous connecter.
signin-ask = Est-ce bien vous ?
prompt-name-value = { $name } = { $value }
list-separator = {", "}

attr-name = nom complet
attr-given_name = prénom
attr-family_name = nom de famille
attr-middle_name = deuxième prénom
attr-nickname = surnom
attr-email = adresse e-mail
attr-phone_number = numéro de téléphone
attr-device_msisdn = numéro de téléphone
attr-birthdate = date de naissance
attr-gender = genre
attr-address = adresse
attr-street_address = rue
attr-postal_code = code postal
attr-locality = ville
attr-region = région
attr-country = pays
attr-national_identifier = numéro d'identité

group-name = nom
group-address = adresse
group-contact = coordonnées
group-birthdate = date de naissance
group-identity = identité
group-phone = numéro de téléphone

# La carte de consentement d'un grand écran (card.rs).
card-request = { $client } demande :
card-lifetime-one-time = Pour une seule utilisation
card-lifetime-transaction = Pendant environ { $seconds } secondes
card-lifetime-until-revoked = Jusqu'à ce que vous le révoquiez
card-lifetime-until = Jusqu'au { $date }, ou jusqu'à ce que vous le révoquiez
card-binding = Code affiché par { $client } : { $message }
