prompt-request = { $client } fragt nach: { $attributes }.
prompt-assurance = Bestätigen Sie, dass die Daten Ihnen gehören und Sie volljährig sind.
prompt-ask = Teilen?
prompt-yes = Ja
prompt-no = Nein
signin-request = { $client } möchte Sie anmelden.
signin-ask = Sind Sie das?
prompt-name-value = { $name } = { $value }
list-separator = {", "}

attr-name = vollständiger Name
attr-given_name = Vorname
attr-family_name = Nachname
attr-middle_name = zweiter Vorname
attr-nickname = Spitzname
attr-email = E-Mail-Adresse
attr-phone_number = Telefonnummer
attr-device_msisdn = Telefonnummer
attr-birthdate = Geburtsdatum
attr-gender = Geschlecht
attr-address = Adresse
attr-street_address = Straße
attr-postal_code = Postleitzahl
attr-locality = Ort
attr-region = Region
attr-country = Land
attr-national_identifier = Ausweisnummer

group-name = Name
group-address = Adresse
group-contact = Kontaktdaten
group-birthdate = Geburtsdatum
group-identity = Identität
group-phone = Telefonnummer

# Die Einwilligungskarte eines großen Bildschirms (card.rs).
card-request = { $client } fragt nach:
card-lifetime-one-time = Nur für eine Nutzung
card-lifetime-transaction = Für etwa { $seconds } Sekunden
card-lifetime-until-revoked = Bis Sie es widerrufen
card-lifetime-until = Bis { $date } oder bis Sie es widerrufen
card-binding = Code auf dem Bildschirm von { $client }: { $message }
