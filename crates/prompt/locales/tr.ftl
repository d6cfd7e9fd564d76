prompt-request = { $client } şunları istiyor: { $attributes }.
prompt-assurance = Verilerin size ait olduğunu ve reşit olduğunuzu onaylayın.
prompt-ask = Paylaşılsın mı?
prompt-yes = Evet
prompt-no = Hayır
signin-request = { $client } oturumunuzu açmak istiyor.
signin-ask = Bu siz misiniz?
prompt-name-value = { $name } = { $value }
list-separator = {", "}

attr-name = ad soyad
attr-given_name = ad
attr-family_name = soyad
attr-middle_name = ikinci ad
attr-nickname = takma ad
attr-email = e-posta
attr-phone_number = telefon numarası
attr-device_msisdn = telefon numarası
attr-birthdate = doğum tarihi
attr-gender = cinsiyet
attr-address = adres
attr-street_address = sokak
attr-postal_code = posta kodu
attr-locality = şehir
attr-region = bölge
attr-country = ülke
attr-national_identifier = kimlik numarası

group-name = ad
group-address = adres
group-contact = iletişim bilgileri
group-birthdate = doğum tarihi
group-identity = kimlik
group-phone = telefon numarası

# Büyük ekranın onay kartı (card.rs).
card-request = { $client } şunları istiyor:
card-lifetime-one-time = Yalnızca bir kullanım için
card-lifetime-transaction = Yaklaşık { $seconds } saniye boyunca
card-lifetime-until-revoked = Siz iptal edene kadar
card-lifetime-until = { $date } tarihine kadar veya siz iptal edene kadar
card-binding = { $client } ekranındaki kod: { $message }
