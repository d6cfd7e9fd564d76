# Hindi (Devanagari). A sentence ends with the danda "।". Words are separated by spaces and
# the wrapper ends lines only there, so a conjunct (क्ष) or a vowel sign is never cut.
# The messages avoid gendered verbs: an SP's name has no grammatical gender to agree with.
prompt-request = { $client } को यह जानकारी चाहिए: { $attributes }।
prompt-assurance = पुष्टि करें कि यह जानकारी आपकी है और आप नाबालिग नहीं हैं।
prompt-ask = साझा करें?
prompt-yes = हाँ
prompt-no = नहीं
signin-request = { $client } से साइन-इन का अनुरोध आया है।
signin-ask = क्या यह आप ही हैं?
prompt-name-value = { $name } = { $value }
list-separator = {", "}

attr-name = पूरा नाम
attr-given_name = पहला नाम
attr-family_name = कुलनाम
attr-middle_name = मध्य नाम
attr-nickname = पुकार का नाम
attr-email = ईमेल
attr-phone_number = फ़ोन नंबर
attr-device_msisdn = फ़ोन नंबर
attr-birthdate = जन्म तिथि
attr-gender = लिंग
attr-address = पता
attr-street_address = सड़क
attr-postal_code = पिन कोड
attr-locality = शहर
attr-region = राज्य
attr-country = देश
attr-national_identifier = राष्ट्रीय पहचान संख्या

group-name = नाम
group-address = पता
group-contact = संपर्क विवरण
group-birthdate = जन्म तिथि
group-identity = पहचान
group-phone = फ़ोन नंबर

# बड़ी स्क्रीन का सहमति कार्ड (card.rs): हस्ताक्षरित मूल पाठ में हर चीज़ की अपनी एक पंक्ति होती है।
card-request = { $client } को यह जानकारी चाहिए:
card-lifetime-one-time = केवल एक बार के उपयोग के लिए
card-lifetime-transaction = लगभग { $seconds } सेकंड के लिए
card-lifetime-until-revoked = जब तक आप इसे वापस न लें
card-lifetime-until = { $date } तक, या जब तक आप इसे वापस न लें
card-binding = { $client } की स्क्रीन पर कोड: { $message }
