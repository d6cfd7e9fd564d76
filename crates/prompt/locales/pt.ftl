prompt-request = { $client } pede: { $attributes }.
prompt-assurance = Confirme que os dados são seus e que não é menor de idade.
prompt-ask = Compartilhar?
prompt-yes = Sim
prompt-no = Não
signin-request = { $client } pede para iniciar a sua sessão.
signin-ask = É você?
prompt-name-value = { $name } = { $value }
list-separator = {", "}

attr-name = nome completo
attr-given_name = nome próprio
attr-family_name = apelido
attr-middle_name = nome do meio
attr-nickname = alcunha
attr-email = e-mail
attr-phone_number = número de telefone
attr-device_msisdn = número de telefone
attr-birthdate = data de nascimento
attr-gender = género
attr-address = morada
attr-street_address = rua
attr-postal_code = código postal
attr-locality = localidade
attr-region = região
attr-country = país
attr-national_identifier = número de identificação

group-name = nome
group-address = morada
group-contact = contactos
group-birthdate = data de nascimento
group-identity = identidade
group-phone = número de telefone

# O cartão de consentimento de um ecrã grande (card.rs).
card-request = { $client } pede:
card-lifetime-one-time = Para uma única utilização
card-lifetime-transaction = Durante cerca de { $seconds } segundos
card-lifetime-until-revoked = Até você revogar
card-lifetime-until = Até { $date }, ou até você revogar
card-binding = Código na tela de { $client }: { $message }
