# Right-to-left. Latin placeables (SP names, e-mail addresses) come wrapped in FSI…PDI.
prompt-request = يطلب { $client }: { $attributes }.
prompt-assurance = أكّد أن هذه البيانات تخصك وأنك لست قاصرًا.
prompt-ask = مشاركة؟
prompt-yes = نعم
prompt-no = لا
signin-request = يطلب { $client } تسجيل دخولك.
signin-ask = هل هذا أنت؟
prompt-name-value = { $name } = { $value }
list-separator = {"، "}

attr-name = الاسم الكامل
attr-given_name = الاسم الأول
attr-family_name = اسم العائلة
attr-middle_name = الاسم الأوسط
attr-nickname = اللقب
attr-email = البريد الإلكتروني
attr-phone_number = رقم الهاتف
attr-device_msisdn = رقم الهاتف
attr-birthdate = تاريخ الميلاد
attr-gender = الجنس
attr-address = العنوان
attr-street_address = الشارع
attr-postal_code = الرمز البريدي
attr-locality = المدينة
attr-region = المنطقة
attr-country = البلد
attr-national_identifier = رقم الهوية

group-name = الاسم
group-address = العنوان
group-contact = بيانات الاتصال
group-birthdate = تاريخ الميلاد
group-identity = الهوية
group-phone = رقم الهاتف

# بطاقة الموافقة على شاشة كبيرة (card.rs).
card-request = يطلب { $client }:
card-lifetime-one-time = لاستخدام واحد فقط
card-lifetime-transaction = لمدة { $seconds } ثانية تقريبًا
card-lifetime-until-revoked = حتى تلغيه
card-lifetime-until = حتى { $date }، أو حتى تلغيه
card-binding = الرمز على شاشة { $client }: { $message }
