prompt-request = { $client } solicita: { $attributes }.
prompt-assurance = Confirme que los datos son suyos y que es mayor de edad.
prompt-ask = ¿Compartir?
prompt-yes = Sí
prompt-no = No
signin-request = { $client } solicita iniciar su sesión.
signin-ask = ¿Es usted?
prompt-name-value = { $name } = { $value }
list-separator = {", "}

attr-name = nombre completo
attr-given_name = nombre
attr-family_name = apellidos
attr-middle_name = segundo nombre
attr-nickname = apodo
attr-email = correo electrónico
attr-phone_number = número de teléfono
attr-device_msisdn = número de teléfono
attr-birthdate = fecha de nacimiento
attr-gender = género
attr-address = dirección
attr-street_address = calle
attr-postal_code = código postal
attr-locality = localidad
attr-region = región
attr-country = país
attr-national_identifier = número de identidad

group-name = nombre
group-address = dirección
group-contact = datos de contacto
group-birthdate = fecha de nacimiento
group-identity = identidad
group-phone = número de teléfono

# La tarjeta de consentimiento de una pantalla grande (card.rs).
card-request = { $client } solicita:
card-lifetime-one-time = Para un solo uso
card-lifetime-transaction = Durante unos { $seconds } segundos
card-lifetime-until-revoked = Hasta que lo revoques
card-lifetime-until = Hasta el { $date }, o hasta que lo revoques
card-binding = Código en la pantalla de { $client }: { $message }
