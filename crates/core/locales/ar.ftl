# جمل السجل بالعربية؛ يصف ملف en.ftl المتغيرات.

event-authorization-request = { $sp_known ->
    [yes] طلب { $sp } استخدام بياناتك.
   *[no] طلبت خدمةٌ استخدام بياناتك.
  }
event-prompt-sent = { $sp_known ->
    [yes] سُئلتَ { $via } إن كنت تريد مشاركة بياناتك مع { $sp }.
   *[no] سُئلتَ { $via } إن كنت تريد مشاركة بياناتك مع خدمة.
  }
event-prompt-sent-sign-in = { $sp_known ->
    [yes] طُلب منك { $via } تأكيد تسجيل دخولك إلى { $sp }.
   *[no] طُلب منك { $via } تأكيد تسجيل دخولك إلى خدمة.
  }
event-answer-yes = { $sp_known ->
    [yes] وافقتَ على طلب { $sp } { $via }.
   *[no] وافقتَ على طلب خدمةٍ { $via }.
  }
event-answer-no = { $sp_known ->
    [yes] رفضتَ طلب { $sp } { $via }.
   *[no] رفضتَ طلب خدمةٍ { $via }.
  }
event-sign-in-yes = { $sp_known ->
    [yes] أكّدتَ تسجيل دخولك إلى { $sp } { $via }.
   *[no] أكّدتَ تسجيل دخولك إلى خدمةٍ { $via }.
  }
event-sign-in-no = { $sp_known ->
    [yes] رفضتَ تسجيل الدخول إلى { $sp } { $via }.
   *[no] رفضتَ تسجيل الدخول إلى خدمةٍ { $via }.
  }
event-consent-long-lived = { $sp_known ->
    [yes] سمحتَ لـ { $sp } باستخدام بياناتك إلى أن تسحب موافقتك.
   *[no] سمحتَ لخدمةٍ باستخدام بياناتك إلى أن تسحب موافقتك.
  }
event-consent-until = { $sp_known ->
    [yes] سمحتَ لـ { $sp } باستخدام بياناتك حتى { $date }، أو إلى أن تسحب موافقتك.
   *[no] سمحتَ لخدمةٍ باستخدام بياناتك حتى { $date }، أو إلى أن تسحب موافقتك.
  }
event-consent-once = { $sp_known ->
    [yes] سمحتَ لـ { $sp } باستخدام بياناتك مرة واحدة.
   *[no] سمحتَ لخدمةٍ باستخدام بياناتك مرة واحدة.
  }
event-token-issued = { $sp_known ->
    [yes] حصل { $sp } على إذن بالوصول إلى بياناتك.
   *[no] حصلت خدمةٌ على إذن بالوصول إلى بياناتك.
  }
event-token-renewed = { $sp_known ->
    [yes] جدّد { $sp } وصوله إلى بياناتك.
   *[no] جدّدت خدمةٌ وصولها إلى بياناتك.
  }
event-refusal = { $sp_known ->
    [yes] رُفض طلبٌ من { $sp }.
   *[no] رُفض طلبٌ من خدمة.
  }
event-resource-read = { $sp_known ->
    [yes] قرأ { $sp } بياناتك هذه: { $attributes }.
   *[no] قرأت خدمةٌ بياناتك هذه: { $attributes }.
  }
event-resource-matched = { $sp_known ->
    [yes] قارن { $sp } بياناتك هذه بما لديه: { $attributes }.
   *[no] قارنت خدمةٌ بياناتك هذه بما لديها: { $attributes }.
  }
event-resource-none = { $sp_known ->
    [yes] تحقّق { $sp } من حسابك، ولم تُشارَك أي بيانات.
   *[no] تحقّقت خدمةٌ من حسابك، ولم تُشارَك أي بيانات.
  }
event-resource-refused = { $sp_known ->
    [yes] طلب { $sp } بياناتك فرُفض طلبه.
   *[no] رُفض طلبٌ للحصول على بياناتك.
  }
event-refusals-summary = { $sp_known ->
    [yes] { $count ->
        [zero] لم يُحسب أي طلب مرفوض إضافي من { $sp }.
        [one] حُسب طلبٌ مرفوض إضافي من { $sp } دون أن يُدرَج.
        [two] حُسب طلبان مرفوضان إضافيان من { $sp } دون أن يُدرَجا.
        [few] حُسبت { $count } طلبات مرفوضة إضافية من { $sp } دون أن تُدرَج.
        [many] حُسب { $count } طلبًا مرفوضًا إضافيًا من { $sp } دون أن تُدرَج.
       *[other] حُسب { $count } طلب مرفوض إضافي من { $sp } دون أن تُدرَج.
      }
   *[no] { $count ->
        [zero] لم يُحسب أي طلب مرفوض إضافي.
        [one] حُسب طلبٌ مرفوض إضافي دون أن يُدرَج.
        [two] حُسب طلبان مرفوضان إضافيان دون أن يُدرَجا.
        [few] حُسبت { $count } طلبات مرفوضة إضافية دون أن تُدرَج.
        [many] حُسب { $count } طلبًا مرفوضًا إضافيًا دون أن تُدرَج.
       *[other] حُسب { $count } طلب مرفوض إضافي دون أن تُدرَج.
      }
  }
event-revoked-here = { $sp_known ->
    [yes] ألغيتَ وصول { $sp } من هذا الجهاز.
   *[no] ألغيتَ وصول خدمةٍ من هذا الجهاز.
  }
event-revoked-elsewhere = { $sp_known ->
    [yes] ألغيتَ وصول { $sp } من جهاز آخر من أجهزتك.
   *[no] ألغيتَ وصول خدمةٍ من جهاز آخر من أجهزتك.
  }
event-revoked-by-you = { $sp_known ->
    [yes] ألغيتَ وصول { $sp }.
   *[no] ألغيتَ وصول خدمةٍ.
  }
event-stopped-sharing = { $sp_known ->
    [yes] أوقفتَ مشاركة بياناتك هذه مع { $sp }: { $attributes }.
   *[no] أوقفتَ مشاركة بياناتك هذه مع خدمة: { $attributes }.
  }
event-consent-expired = { $sp_known ->
    [yes] انتهى وصول { $sp }: انتهت صلاحية الموافقة.
   *[no] انتهى وصول خدمةٍ: انتهت صلاحية الموافقة.
  }
event-revoked-by-operator = { $sp_known ->
    [yes] ألغت خدمة العملاء نيابةً عنك وصول { $sp } إلى بياناتك.
   *[no] ألغت خدمة العملاء نيابةً عنك وصول خدمةٍ إلى بياناتك.
  }
event-sp-gave-up = { $sp_known ->
    [yes] تخلّى { $sp } عن وصوله إلى بياناتك.
   *[no] تخلّت خدمةٌ عن وصولها إلى بياناتك.
  }
event-cut-off = { $sp_known ->
    [yes] قطعت البوابة وصول { $sp } لحمايتك: { $reason }.
   *[no] قطعت البوابة وصول خدمةٍ لحمايتك: { $reason }.
  }
event-sp-told = { $sp_known ->
    [yes] أُبلغ { $sp } بإجابتك.
   *[no] أُبلغت خدمةٌ بإجابتك.
  }
event-sp-not-told-yet = { $sp_known ->
    [yes] تعذّر إبلاغ { $sp } بإجابتك حتى الآن؛ ستحاول البوابة مجددًا.
   *[no] تعذّر إبلاغ خدمةٍ بإجابتك حتى الآن؛ ستحاول البوابة مجددًا.
  }
event-sp-never-told = { $sp_known ->
    [yes] تعذّر إبلاغ { $sp } بإجابتك؛ توقفت البوابة عن المحاولة.
   *[no] تعذّر إبلاغ خدمةٍ بإجابتك؛ توقفت البوابة عن المحاولة.
  }
event-sp-told-signed-out = { $sp_known ->
    [yes] طُلب من { $sp } إنهاء جلستك.
   *[no] طُلب من خدمةٍ إنهاء جلستك.
  }
event-sp-told-access-ended = { $sp_known ->
    [yes] أُبلغ { $sp } بانتهاء وصوله إلى بياناتك.
   *[no] أُبلغت خدمةٌ بانتهاء وصولها إلى بياناتك.
  }
event-sp-told-new-device = { $sp_known ->
    [yes] أُبلغ { $sp } بأنك أضفت جهازًا جديدًا.
   *[no] أُبلغت خدمةٌ بأنك أضفت جهازًا جديدًا.
  }
event-sp-signal-waiting = { $sp_known ->
    [yes] تعذّر إبلاغ { $sp } حتى الآن؛ ستحاول البوابة مجددًا.
   *[no] تعذّر إبلاغ خدمةٍ حتى الآن؛ ستحاول البوابة مجددًا.
  }
event-sp-signal-refused = { $sp_known ->
    [yes] لم يقبل { $sp } إشعار البوابة.
   *[no] لم تقبل خدمةٌ إشعار البوابة.
  }
event-you-were-told = { $sp_known ->
    [yes] أُبلغتَ بأن { $sp } استخدم بياناتك.
   *[no] أُبلغتَ بأن خدمةً استخدمت بياناتك.
  }
event-told-by-sms = أُبلغتَ برسالة نصية بالخدمات التي استخدمت بياناتك.
event-care-told-by-sms = أُبلغتَ برسالة نصية بما قامت به خدمة العملاء من أجلك.
event-you-were-told-check = { $sp_known ->
    [yes] أُبلغتَ بأن { $sp } تحقّق من حسابك.
   *[no] أُبلغتَ بأن خدمةً تحقّقت من حسابك.
  }
event-expiry-reminder = { $sp_known ->
    [yes] تذكير: ينتهي وصول { $sp } في { $date }.
   *[no] تذكير: ينتهي وصول خدمةٍ في { $date }.
  }
event-reported = { $sp_known ->
    [yes] أبلغتَ المشغّل عن { $sp }.
   *[no] أبلغتَ المشغّل عن خدمة.
  }
event-sp-registered = { $sp_known ->
    [yes] سجّل المشغّل { $sp }.
   *[no] سجّل المشغّل خدمةً.
  }
event-sp-blocked = { $sp_known ->
    [yes] حظر المشغّل { $sp }.
   *[no] حظر المشغّل خدمةً.
  }
event-sp-unblocked = { $sp_known ->
    [yes] رفع المشغّل الحظر عن { $sp }.
   *[no] رفع المشغّل الحظر عن خدمة.
  }
event-other = { $sp_known ->
    [yes] سُجّل حدث من نوع «{ $kind }» يخص { $sp }.
   *[no] سُجّل حدث من نوع «{ $kind }».
  }
event-answer-signed = { $device ->
    [this] وقّع هذا الجهاز إجابتك على النص نفسه الذي رأيته.
   *[other] وقّع أحد أجهزتك إجابتك على النص نفسه الذي رأيته.
  }
event-device-added = { $device ->
    [this] أُضيف هذا الجهاز إلى حسابك.
   *[other] أُضيف جهاز جديد إلى حسابك.
  }
event-device-waiting = { $device ->
    [this] طلب هذا الجهاز الانضمام إلى حسابك، وينتظر الموافقة على جهاز تملكه من قبل.
   *[other] طلب جهاز جديد الانضمام إلى حسابك، وينتظر موافقتك.
  }
event-device-renewed = { $device ->
    [this] جُدّدت شهادة هذا الجهاز.
   *[other] جُدّدت شهادة أحد أجهزتك.
  }
event-device-revoked-by-you = { $device ->
    [this] ألغيتَ هذا الجهاز.
   *[other] ألغيتَ أحد أجهزتك.
  }
event-device-revoked-by-operator = { $device ->
    [this] ألغى المشغّل هذا الجهاز.
   *[other] ألغى المشغّل أحد أجهزتك.
  }
event-device-approved = وافقتَ على إضافة جهاز جديد إلى حسابك.
event-device-refused = رفضتَ إضافة جهاز جديد إلى حسابك.
event-certificate-issued = صدرت شهادة لرقمك بعد أن أثبتَّه عبر رسالة SMS.
event-certificate-revoked = أُلغيت شهادة لرقمك.
event-sim-changed = تغيّرت شريحة SIM الخاصة بك في { $date }؛ تُعلَّق إثباتات رقمك لبعض الوقت.
event-authenticators-changed = غيّر المشغّل طريقة طلب موافقتك.
event-number-unlocked = رفع المشغّل القفل عن التحقق من رقمك.
reason-code-reused = استُخدم رمز تسجيل دخول مرتين
reason-refresh-reused = أُعيد استخدام مفتاح وصول قديم
reason-push-unconfirmed = لم يُؤكَّد استلام بياناتك
reason-other = بدا أن هناك خطأً ما
via-app = في التطبيق
via-ussd = عبر USSD
via-sms = عبر رسالة SMS
via-browser = في متصفحك
via-other = على هاتفك

kind-authorization_request = طلبات الخدمات
kind-prompt_sent = أسئلة أُرسلت إليك
kind-answer = إجاباتك
kind-consent = موافقاتك
kind-token_issued = وصول مُنح للخدمات
kind-refusal = طلبات مرفوضة
kind-revocation = وصول مسحوب
kind-resource_access = بيانات استخدمتها الخدمات
kind-notification = إشعارات
kind-sp_flagged = خدمات أبلغتَ عنها
kind-admin = حسابك وأجهزتك
kind-resource_refused = طلبات بيانات مرفوضة

fact-details = التفاصيل
fact-kind = النوع
fact-seq = القيد
fact-hash = قيمة التجزئة
fact-authenticator = أداة المصادقة
fact-detail = التفصيل المسجَّل
fact-service = الخدمة
fact-consent = الموافقة
fact-scope = النطاق
fact-prompt = النص الذي رأيته
fact-endpoint = نقطة النهاية
fact-reason = السبب
fact-device = الجهاز
fact-certificate = الشهادة
fact-token = الرمز المميز
fact-flow = المسار
fact-channel = القناة
fact-expires = الانتهاء
fact-attributes = السمات

list-comma = {"، "}
list-and = { $head } و{ $last }
date-day-month = { $day } { $month }
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر
