# इतिहास के वाक्य हिंदी में; तर्कों का विवरण en.ftl में है।

event-authorization-request = { $sp_known ->
    [yes] { $sp } ने आपका डेटा इस्तेमाल करने की अनुमति माँगी।
   *[no] एक सेवा ने आपका डेटा इस्तेमाल करने की अनुमति माँगी।
  }
event-prompt-sent = { $sp_known ->
    [yes] आपसे { $via } पूछा गया कि क्या आप अपना डेटा { $sp } के साथ साझा करना चाहते हैं।
   *[no] आपसे { $via } पूछा गया कि क्या आप अपना डेटा किसी सेवा के साथ साझा करना चाहते हैं।
  }
event-prompt-sent-sign-in = { $sp_known ->
    [yes] आपसे { $via } { $sp } में साइन इन की पुष्टि करने को कहा गया।
   *[no] आपसे { $via } किसी सेवा में साइन इन की पुष्टि करने को कहा गया।
  }
event-answer-yes = { $sp_known ->
    [yes] आपने { $via } { $sp } का अनुरोध स्वीकार किया।
   *[no] आपने { $via } एक सेवा का अनुरोध स्वीकार किया।
  }
event-answer-no = { $sp_known ->
    [yes] आपने { $via } { $sp } का अनुरोध अस्वीकार किया।
   *[no] आपने { $via } एक सेवा का अनुरोध अस्वीकार किया।
  }
event-sign-in-yes = { $sp_known ->
    [yes] आपने { $via } { $sp } में साइन इन की पुष्टि की।
   *[no] आपने { $via } किसी सेवा में साइन इन की पुष्टि की।
  }
event-sign-in-no = { $sp_known ->
    [yes] आपने { $via } { $sp } में साइन इन करने से मना किया।
   *[no] आपने { $via } किसी सेवा में साइन इन करने से मना किया।
  }
event-consent-long-lived = { $sp_known ->
    [yes] आपने { $sp } को अपना डेटा तब तक इस्तेमाल करने की अनुमति दी, जब तक आप सहमति वापस न ले लें।
   *[no] आपने एक सेवा को अपना डेटा तब तक इस्तेमाल करने की अनुमति दी, जब तक आप सहमति वापस न ले लें।
  }
event-consent-until = { $sp_known ->
    [yes] आपने { $sp } को अपना डेटा { $date } तक, या जब तक आप सहमति वापस न ले लें, इस्तेमाल करने की अनुमति दी।
   *[no] आपने एक सेवा को अपना डेटा { $date } तक, या जब तक आप सहमति वापस न ले लें, इस्तेमाल करने की अनुमति दी।
  }
event-consent-once = { $sp_known ->
    [yes] आपने { $sp } को अपना डेटा एक बार इस्तेमाल करने की अनुमति दी।
   *[no] आपने एक सेवा को अपना डेटा एक बार इस्तेमाल करने की अनुमति दी।
  }
event-token-issued = { $sp_known ->
    [yes] { $sp } को आपके डेटा तक पहुँच दी गई।
   *[no] एक सेवा को आपके डेटा तक पहुँच दी गई।
  }
event-token-renewed = { $sp_known ->
    [yes] { $sp } ने आपके डेटा तक अपनी पहुँच नवीनीकृत की।
   *[no] एक सेवा ने आपके डेटा तक अपनी पहुँच नवीनीकृत की।
  }
event-refusal = { $sp_known ->
    [yes] { $sp } का एक अनुरोध अस्वीकार किया गया।
   *[no] एक सेवा का एक अनुरोध अस्वीकार किया गया।
  }
event-resource-read = { $sp_known ->
    [yes] { $sp } ने आपकी यह जानकारी पढ़ी: { $attributes }।
   *[no] एक सेवा ने आपकी यह जानकारी पढ़ी: { $attributes }।
  }
event-resource-matched = { $sp_known ->
    [yes] { $sp } ने आपकी यह जानकारी अपने रिकॉर्ड से मिलाई: { $attributes }।
   *[no] एक सेवा ने आपकी यह जानकारी अपने रिकॉर्ड से मिलाई: { $attributes }।
  }
event-resource-none = { $sp_known ->
    [yes] { $sp } ने आपका खाता जाँचा; कोई डेटा साझा नहीं किया गया।
   *[no] एक सेवा ने आपका खाता जाँचा; कोई डेटा साझा नहीं किया गया।
  }
event-resource-refused = { $sp_known ->
    [yes] { $sp } ने आपका डेटा माँगा, पर अनुरोध अस्वीकार कर दिया गया।
   *[no] आपके डेटा के लिए एक अनुरोध अस्वीकार किया गया।
  }
event-refusals-summary = { $sp_known ->
    [yes] { $count ->
        [one] { $sp } का एक और अस्वीकृत अनुरोध सूची में दर्ज किए बिना गिना गया।
       *[other] { $sp } के { $count } और अस्वीकृत अनुरोध सूची में दर्ज किए बिना गिने गए।
      }
   *[no] { $count ->
        [one] एक और अस्वीकृत अनुरोध सूची में दर्ज किए बिना गिना गया।
       *[other] { $count } और अस्वीकृत अनुरोध सूची में दर्ज किए बिना गिने गए।
      }
  }
event-revoked-here = { $sp_known ->
    [yes] आपने इस डिवाइस पर { $sp } की पहुँच रद्द की।
   *[no] आपने इस डिवाइस पर एक सेवा की पहुँच रद्द की।
  }
event-revoked-elsewhere = { $sp_known ->
    [yes] आपने अपने किसी दूसरे डिवाइस पर { $sp } की पहुँच रद्द की।
   *[no] आपने अपने किसी दूसरे डिवाइस पर एक सेवा की पहुँच रद्द की।
  }
event-revoked-by-you = { $sp_known ->
    [yes] आपने { $sp } की पहुँच रद्द की।
   *[no] आपने एक सेवा की पहुँच रद्द की।
  }
event-stopped-sharing = { $sp_known ->
    [yes] आपने { $sp } के साथ अपनी यह जानकारी साझा करना बंद किया: { $attributes }।
   *[no] आपने एक सेवा के साथ अपनी यह जानकारी साझा करना बंद किया: { $attributes }।
  }
event-consent-expired = { $sp_known ->
    [yes] { $sp } की पहुँच समाप्त हो गई: सहमति की अवधि पूरी हो गई।
   *[no] एक सेवा की पहुँच समाप्त हो गई: सहमति की अवधि पूरी हो गई।
  }
event-sp-gave-up = { $sp_known ->
    [yes] { $sp } ने आपके डेटा तक अपनी पहुँच छोड़ दी।
   *[no] एक सेवा ने आपके डेटा तक अपनी पहुँच छोड़ दी।
  }
event-cut-off = { $sp_known ->
    [yes] आपकी सुरक्षा के लिए गेटवे ने { $sp } की पहुँच रोक दी: { $reason }।
   *[no] आपकी सुरक्षा के लिए गेटवे ने एक सेवा की पहुँच रोक दी: { $reason }।
  }
event-sp-told = { $sp_known ->
    [yes] { $sp } को आपके जवाब की सूचना दी गई।
   *[no] एक सेवा को आपके जवाब की सूचना दी गई।
  }
event-sp-not-told-yet = { $sp_known ->
    [yes] { $sp } को अभी तक आपके जवाब की सूचना नहीं दी जा सकी; गेटवे फिर से कोशिश करेगा।
   *[no] एक सेवा को अभी तक आपके जवाब की सूचना नहीं दी जा सकी; गेटवे फिर से कोशिश करेगा।
  }
event-sp-never-told = { $sp_known ->
    [yes] { $sp } को आपके जवाब की सूचना नहीं दी जा सकी; गेटवे ने कोशिश छोड़ दी।
   *[no] एक सेवा को आपके जवाब की सूचना नहीं दी जा सकी; गेटवे ने कोशिश छोड़ दी।
  }
event-you-were-told = { $sp_known ->
    [yes] आपको सूचित किया गया कि { $sp } ने आपका डेटा इस्तेमाल किया।
   *[no] आपको सूचित किया गया कि एक सेवा ने आपका डेटा इस्तेमाल किया।
  }
event-you-were-told-check = { $sp_known ->
    [yes] आपको सूचित किया गया कि { $sp } ने आपका खाता जाँचा।
   *[no] आपको सूचित किया गया कि एक सेवा ने आपका खाता जाँचा।
  }
event-expiry-reminder = { $sp_known ->
    [yes] अनुस्मारक: { $sp } की पहुँच { $date } को समाप्त होगी।
   *[no] अनुस्मारक: एक सेवा की पहुँच { $date } को समाप्त होगी।
  }
event-reported = { $sp_known ->
    [yes] आपने ऑपरेटर से { $sp } की शिकायत की।
   *[no] आपने ऑपरेटर से एक सेवा की शिकायत की।
  }
event-sp-registered = { $sp_known ->
    [yes] ऑपरेटर ने { $sp } को पंजीकृत किया।
   *[no] ऑपरेटर ने एक सेवा को पंजीकृत किया।
  }
event-sp-blocked = { $sp_known ->
    [yes] ऑपरेटर ने { $sp } को ब्लॉक किया।
   *[no] ऑपरेटर ने एक सेवा को ब्लॉक किया।
  }
event-sp-unblocked = { $sp_known ->
    [yes] ऑपरेटर ने { $sp } को अनब्लॉक किया।
   *[no] ऑपरेटर ने एक सेवा को अनब्लॉक किया।
  }
event-other = { $sp_known ->
    [yes] { $sp } के लिए “{ $kind }” प्रकार की एक घटना दर्ज की गई।
   *[no] “{ $kind }” प्रकार की एक घटना दर्ज की गई।
  }
event-answer-signed = { $device ->
    [this] इस डिवाइस ने आपके जवाब पर ठीक उसी पाठ के साथ हस्ताक्षर किए जो आपने देखा था।
   *[other] आपके किसी डिवाइस ने आपके जवाब पर ठीक उसी पाठ के साथ हस्ताक्षर किए जो आपने देखा था।
  }
event-device-added = { $device ->
    [this] यह डिवाइस आपके खाते में जोड़ा गया।
   *[other] आपके खाते में एक नया डिवाइस जोड़ा गया।
  }
event-device-waiting = { $device ->
    [this] इस डिवाइस ने आपके खाते से जुड़ने का अनुरोध किया है और आपके पहले से मौजूद डिवाइस पर मंज़ूरी का इंतज़ार कर रहा है।
   *[other] एक नए डिवाइस ने आपके खाते से जुड़ने का अनुरोध किया है और आपकी मंज़ूरी का इंतज़ार कर रहा है।
  }
event-device-renewed = { $device ->
    [this] इस डिवाइस का प्रमाणपत्र नवीनीकृत किया गया।
   *[other] आपके किसी डिवाइस का प्रमाणपत्र नवीनीकृत किया गया।
  }
event-device-revoked-by-you = { $device ->
    [this] आपने यह डिवाइस रद्द किया।
   *[other] आपने अपना एक डिवाइस रद्द किया।
  }
event-device-revoked-by-operator = { $device ->
    [this] ऑपरेटर ने यह डिवाइस रद्द किया।
   *[other] ऑपरेटर ने आपका एक डिवाइस रद्द किया।
  }
event-device-approved = आपने अपने खाते में एक नया डिवाइस जोड़ने की मंज़ूरी दी।
event-device-refused = आपने अपने खाते में एक नया डिवाइस जोड़ने से मना किया।
event-certificate-issued = SMS से आपका नंबर साबित होने के बाद आपके नंबर के लिए एक प्रमाणपत्र जारी किया गया।
event-certificate-revoked = आपके नंबर का एक प्रमाणपत्र रद्द किया गया।
event-sim-changed = { $date } को आपका SIM कार्ड बदला गया; कुछ समय के लिए आपके नंबर के प्रमाण रोके गए हैं।
event-authenticators-changed = ऑपरेटर ने बदल दिया कि आपसे सहमति कैसे माँगी जाती है।
event-number-unlocked = ऑपरेटर ने आपके नंबर के सत्यापन पर लगी रोक हटा दी।
reason-code-reused = एक साइन-इन कोड दो बार इस्तेमाल हुआ
reason-refresh-reused = एक पुरानी पहुँच कुंजी फिर से इस्तेमाल हुई
reason-push-unconfirmed = आपका डेटा मिलने की पुष्टि नहीं हुई
reason-other = कुछ गड़बड़ लगी
via-app = ऐप में
via-ussd = USSD से
via-sms = SMS से
via-browser = आपके ब्राउज़र में
via-other = आपके फ़ोन पर

kind-authorization_request = सेवाओं के अनुरोध
kind-prompt_sent = आपसे पूछे गए सवाल
kind-answer = आपके जवाब
kind-consent = आपकी सहमतियाँ
kind-token_issued = सेवाओं को दी गई पहुँच
kind-refusal = अस्वीकृत अनुरोध
kind-revocation = वापस ली गई पहुँच
kind-resource_access = सेवाओं द्वारा इस्तेमाल किया गया डेटा
kind-notification = सूचनाएँ
kind-sp_flagged = आपके द्वारा रिपोर्ट की गई सेवाएँ
kind-admin = आपका खाता और डिवाइस
kind-resource_refused = अस्वीकृत डेटा अनुरोध

fact-details = विवरण
fact-kind = प्रकार
fact-seq = प्रविष्टि
fact-hash = हैश
fact-authenticator = प्रमाणीकरण का तरीका
fact-detail = दर्ज विवरण
fact-service = सेवा
fact-consent = सहमति
fact-scope = स्कोप
fact-prompt = आपने जो पाठ देखा
fact-endpoint = एंडपॉइंट
fact-reason = कारण
fact-device = डिवाइस
fact-certificate = प्रमाणपत्र
fact-token = टोकन
fact-flow = फ़्लो
fact-channel = चैनल
fact-expires = समाप्ति
fact-attributes = विशेषताएँ

list-comma = {", "}
list-and = { $head } और { $last }
date-day-month = { $day } { $month }
month-1 = जनवरी
month-2 = फ़रवरी
month-3 = मार्च
month-4 = अप्रैल
month-5 = मई
month-6 = जून
month-7 = जुलाई
month-8 = अगस्त
month-9 = सितंबर
month-10 = अक्टूबर
month-11 = नवंबर
month-12 = दिसंबर
