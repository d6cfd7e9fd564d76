# Japanese. Placeables arrive already isolated where directions mix. Japanese is written
# without spaces: the wrapper may end a line between two kana or ideographs (UAX #14), never
# before 。、：？ and never inside a pair or a value that fits (docs/prompt-fitting.md).
# The pair keeps the ASCII " = " of every locale: the same rule, and two UCS-2 units fewer
# than a full-width colon.
prompt-request = { $client }が次の情報を求めています：{ $attributes }。
prompt-assurance = この情報がご本人のもので、未成年ではないことを確認してください。
prompt-ask = 共有しますか？
prompt-yes = はい
prompt-no = いいえ
signin-request = { $client }からサインインの要求があります。
signin-ask = ご本人ですか？
prompt-name-value = { $name } = { $value }
list-separator = {"、"}

attr-name = 氏名
attr-given_name = 名
attr-family_name = 姓
attr-middle_name = ミドルネーム
attr-nickname = ニックネーム
attr-email = メールアドレス
attr-phone_number = 電話番号
attr-device_msisdn = 電話番号
attr-birthdate = 生年月日
attr-gender = 性別
attr-address = 住所
attr-street_address = 番地
attr-postal_code = 郵便番号
attr-locality = 市区町村
attr-region = 都道府県
attr-country = 国
attr-national_identifier = 国民識別番号

group-name = 氏名
group-address = 住所
group-contact = 連絡先
group-birthdate = 生年月日
group-identity = 本人確認情報
group-phone = 電話番号

# 大きな画面の同意カード（card.rs）：署名される正規テキストでは、それぞれが 1 行になります。
card-request = { $client }が次の情報を求めています：
card-lifetime-one-time = 1 回限りの利用
card-lifetime-transaction = 約 { $seconds } 秒間
card-lifetime-until-revoked = あなたが取り消すまで
card-lifetime-until = { $date } まで、またはあなたが取り消すまで
card-binding = { $client } の画面に表示されたコード：{ $message }
