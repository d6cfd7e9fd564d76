# Consent prompt (MC_ATTR_10..12). Placeables arrive already isolated where directions mix;
# the renderer turns Fluent's own isolation marks off (docs/prompt-fitting.md).
prompt-request = { $client } asks for: { $attributes }.
prompt-assurance = Confirm this data is yours and you are not a minor.
# The answer: "{ask} {yes} / {no}" on screens, "{ask} 1 {yes} / 2 {no}" on USSD and SMS;
# the renderer keeps "1 Yes" and "2 No" on one line.
prompt-ask = Share?
prompt-yes = Yes
prompt-no = No
# Sign-in prompt: consent was given on the browser page (MC_ATTR_08), the handset only
# authenticates. It takes the consent prompt's answers, so "1" always means yes.
signin-request = { $client } asks to sign you in.
signin-ask = Is this you?
prompt-name-value = { $name } = { $value }
list-separator = {", "}

attr-name = full name
attr-given_name = given name
attr-family_name = family name
attr-middle_name = middle name
attr-nickname = nickname
attr-email = email
attr-phone_number = phone number
attr-device_msisdn = phone number
attr-birthdate = date of birth
attr-gender = gender
attr-address = address
attr-street_address = street
attr-postal_code = postal code
attr-locality = city
attr-region = region
attr-country = country
attr-national_identifier = national ID number

group-name = name
group-address = address
group-contact = contact details
group-birthdate = date of birth
group-identity = identity
group-phone = phone number

# The consent card of a large screen (card.rs): one line each in the signed canonical text.
card-request = { $client } asks for:
card-lifetime-one-time = For one use only
card-lifetime-transaction = For about { $seconds } seconds
card-lifetime-until-revoked = Until you revoke it
card-lifetime-until = Until { $date }, or until you revoke it
card-binding = Code on { $client }'s screen: { $message }
