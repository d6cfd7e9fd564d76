# Geçmişin cümleleri Türkçe; bağımsız değişkenleri en.ftl açıklar.

event-authorization-request = { $sp_known ->
    [yes] { $sp } verilerinizi kullanmak istedi.
   *[no] Bir hizmet verilerinizi kullanmak istedi.
  }
event-prompt-sent = { $sp_known ->
    [yes] Verilerinizi { $sp } ile paylaşmak isteyip istemediğiniz size { $via } soruldu.
   *[no] Verilerinizi bir hizmetle paylaşmak isteyip istemediğiniz size { $via } soruldu.
  }
event-prompt-sent-sign-in = { $sp_known ->
    [yes] { $sp } için oturum açmayı onaylamanız { $via } istendi.
   *[no] Bir hizmette oturum açmayı onaylamanız { $via } istendi.
  }
event-answer-yes = { $sp_known ->
    [yes] { $sp } tarafından gönderilen isteği { $via } onayladınız.
   *[no] Bir hizmetin isteğini { $via } onayladınız.
  }
event-answer-no = { $sp_known ->
    [yes] { $sp } tarafından gönderilen isteği { $via } reddettiniz.
   *[no] Bir hizmetin isteğini { $via } reddettiniz.
  }
event-sign-in-yes = { $sp_known ->
    [yes] { $sp } için oturum açmayı { $via } onayladınız.
   *[no] Bir hizmette oturum açmayı { $via } onayladınız.
  }
event-sign-in-no = { $sp_known ->
    [yes] { $sp } için oturum açmayı { $via } reddettiniz.
   *[no] Bir hizmette oturum açmayı { $via } reddettiniz.
  }
event-consent-long-lived = { $sp_known ->
    [yes] { $sp } için, izninizi geri alana kadar verilerinizi kullanma izni verdiniz.
   *[no] Bir hizmete, izninizi geri alana kadar verilerinizi kullanma izni verdiniz.
  }
event-consent-until = { $sp_known ->
    [yes] { $sp } için, { $date } tarihine kadar veya izninizi geri alana kadar verilerinizi kullanma izni verdiniz.
   *[no] Bir hizmete, { $date } tarihine kadar veya izninizi geri alana kadar verilerinizi kullanma izni verdiniz.
  }
event-consent-once = { $sp_known ->
    [yes] { $sp } için verilerinizi bir kez kullanma izni verdiniz.
   *[no] Bir hizmete verilerinizi bir kez kullanma izni verdiniz.
  }
event-token-issued = { $sp_known ->
    [yes] { $sp } verilerinize erişim aldı.
   *[no] Bir hizmet verilerinize erişim aldı.
  }
event-token-renewed = { $sp_known ->
    [yes] { $sp } verilerinize erişimini yeniledi.
   *[no] Bir hizmet verilerinize erişimini yeniledi.
  }
event-refusal = { $sp_known ->
    [yes] { $sp } tarafından gelen bir istek reddedildi.
   *[no] Bir hizmetten gelen bir istek reddedildi.
  }
event-resource-read = { $sp_known ->
    [yes] { $sp } şu verilerinizi okudu: { $attributes }.
   *[no] Bir hizmet şu verilerinizi okudu: { $attributes }.
  }
event-resource-matched = { $sp_known ->
    [yes] { $sp } şu verilerinizi kendi kayıtlarıyla karşılaştırdı: { $attributes }.
   *[no] Bir hizmet şu verilerinizi kendi kayıtlarıyla karşılaştırdı: { $attributes }.
  }
event-resource-none = { $sp_known ->
    [yes] { $sp } hesabınızı kontrol etti; hiçbir veri paylaşılmadı.
   *[no] Bir hizmet hesabınızı kontrol etti; hiçbir veri paylaşılmadı.
  }
event-resource-refused = { $sp_known ->
    [yes] { $sp } verilerinizi istedi ve reddedildi.
   *[no] Verileriniz için gelen bir istek reddedildi.
  }
event-refusals-summary = { $sp_known ->
    [yes] { $count ->
        [one] { $sp } tarafından gelen reddedilmiş bir istek daha listelenmeden sayıldı.
       *[other] { $sp } tarafından gelen reddedilmiş { $count } istek daha listelenmeden sayıldı.
      }
   *[no] { $count ->
        [one] Reddedilmiş bir istek daha listelenmeden sayıldı.
       *[other] Reddedilmiş { $count } istek daha listelenmeden sayıldı.
      }
  }
event-revoked-here = { $sp_known ->
    [yes] { $sp } için verdiğiniz erişimi bu cihazdan iptal ettiniz.
   *[no] Bir hizmete verdiğiniz erişimi bu cihazdan iptal ettiniz.
  }
event-revoked-elsewhere = { $sp_known ->
    [yes] { $sp } için verdiğiniz erişimi başka bir cihazınızdan iptal ettiniz.
   *[no] Bir hizmete verdiğiniz erişimi başka bir cihazınızdan iptal ettiniz.
  }
event-revoked-by-you = { $sp_known ->
    [yes] { $sp } için verdiğiniz erişimi iptal ettiniz.
   *[no] Bir hizmete verdiğiniz erişimi iptal ettiniz.
  }
event-stopped-sharing = { $sp_known ->
    [yes] Şu verilerinizi artık { $sp } ile paylaşmıyorsunuz: { $attributes }.
   *[no] Şu verilerinizi artık bir hizmetle paylaşmıyorsunuz: { $attributes }.
  }
event-consent-expired = { $sp_known ->
    [yes] { $sp } için verilen erişim sona erdi: iznin süresi doldu.
   *[no] Bir hizmete verilen erişim sona erdi: iznin süresi doldu.
  }
event-revoked-by-operator = { $sp_known ->
    [yes] Müşteri hizmetleri, sizin adınıza { $sp } için verilen veri erişimini iptal etti.
   *[no] Müşteri hizmetleri, sizin adınıza bir hizmete verilen veri erişimini iptal etti.
  }
event-sp-gave-up = { $sp_known ->
    [yes] { $sp } verilerinize erişiminden vazgeçti.
   *[no] Bir hizmet verilerinize erişiminden vazgeçti.
  }
event-cut-off = { $sp_known ->
    [yes] Ağ geçidi, sizi korumak için { $sp } için verilen erişimi kesti: { $reason }.
   *[no] Ağ geçidi, sizi korumak için bir hizmete verilen erişimi kesti: { $reason }.
  }
event-sp-told = { $sp_known ->
    [yes] { $sp } yanıtınızdan haberdar edildi.
   *[no] Bir hizmet yanıtınızdan haberdar edildi.
  }
event-sp-not-told-yet = { $sp_known ->
    [yes] { $sp } henüz yanıtınızdan haberdar edilemedi; ağ geçidi yeniden deneyecek.
   *[no] Bir hizmet henüz yanıtınızdan haberdar edilemedi; ağ geçidi yeniden deneyecek.
  }
event-sp-never-told = { $sp_known ->
    [yes] { $sp } yanıtınızdan haberdar edilemedi; ağ geçidi denemeyi bıraktı.
   *[no] Bir hizmet yanıtınızdan haberdar edilemedi; ağ geçidi denemeyi bıraktı.
  }
event-sp-told-signed-out = { $sp_known ->
    [yes] { $sp } oturumunuzu kapatması için uyarıldı.
   *[no] Bir hizmet oturumunuzu kapatması için uyarıldı.
  }
event-sp-told-access-ended = { $sp_known ->
    [yes] { $sp } verilerinize erişiminin sona erdiğinden haberdar edildi.
   *[no] Bir hizmet verilerinize erişiminin sona erdiğinden haberdar edildi.
  }
event-sp-told-new-device = { $sp_known ->
    [yes] { $sp } yeni bir cihaz eklediğinizden haberdar edildi.
   *[no] Bir hizmet yeni bir cihaz eklediğinizden haberdar edildi.
  }
event-sp-signal-waiting = { $sp_known ->
    [yes] { $sp } henüz haberdar edilemedi; ağ geçidi yeniden deneyecek.
   *[no] Bir hizmet henüz haberdar edilemedi; ağ geçidi yeniden deneyecek.
  }
event-sp-signal-refused = { $sp_known ->
    [yes] { $sp } ağ geçidinin bildirimini kabul etmedi.
   *[no] Bir hizmet ağ geçidinin bildirimini kabul etmedi.
  }
event-you-were-told = { $sp_known ->
    [yes] { $sp } verilerinizi kullandığı için size bildirim gönderildi.
   *[no] Bir hizmet verilerinizi kullandığı için size bildirim gönderildi.
  }
event-told-by-sms = Verilerinizi hangi hizmetlerin kullandığı size SMS ile bildirildi.
event-care-told-by-sms = Müşteri hizmetlerinin sizin için yaptığı işlem size SMS ile bildirildi.
event-you-were-told-check = { $sp_known ->
    [yes] { $sp } hesabınızı kontrol ettiği için size bildirim gönderildi.
   *[no] Bir hizmet hesabınızı kontrol ettiği için size bildirim gönderildi.
  }
event-expiry-reminder = { $sp_known ->
    [yes] Hatırlatma: { $sp } için verilen erişim { $date } tarihinde sona eriyor.
   *[no] Hatırlatma: bir hizmete verilen erişim { $date } tarihinde sona eriyor.
  }
event-reported = { $sp_known ->
    [yes] { $sp } hizmetini operatöre bildirdiniz.
   *[no] Bir hizmeti operatöre bildirdiniz.
  }
event-sp-registered = { $sp_known ->
    [yes] Operatör { $sp } hizmetini kaydetti.
   *[no] Operatör bir hizmeti kaydetti.
  }
event-sp-blocked = { $sp_known ->
    [yes] Operatör { $sp } hizmetini engelledi.
   *[no] Operatör bir hizmeti engelledi.
  }
event-sp-unblocked = { $sp_known ->
    [yes] Operatör { $sp } hizmetinin engelini kaldırdı.
   *[no] Operatör bir hizmetin engelini kaldırdı.
  }
event-other = { $sp_known ->
    [yes] { $sp } için “{ $kind }” türünde bir olay kaydedildi.
   *[no] “{ $kind }” türünde bir olay kaydedildi.
  }
event-answer-signed = { $device ->
    [this] Bu cihaz, yanıtınızı gördüğünüz metnin tam hâli üzerinden imzaladı.
   *[other] Cihazlarınızdan biri, yanıtınızı gördüğünüz metnin tam hâli üzerinden imzaladı.
  }
event-device-added = { $device ->
    [this] Bu cihaz hesabınıza eklendi.
   *[other] Hesabınıza yeni bir cihaz eklendi.
  }
event-device-waiting = { $device ->
    [this] Bu cihaz hesabınıza katılmak istedi ve mevcut cihazlarınızdan birinde onay bekliyor.
   *[other] Yeni bir cihaz hesabınıza katılmak istedi ve onayınızı bekliyor.
  }
event-device-renewed = { $device ->
    [this] Bu cihazın sertifikası yenilendi.
   *[other] Cihazlarınızdan birinin sertifikası yenilendi.
  }
event-device-revoked-by-you = { $device ->
    [this] Bu cihazı iptal ettiniz.
   *[other] Cihazlarınızdan birini iptal ettiniz.
  }
event-device-revoked-by-operator = { $device ->
    [this] Operatör bu cihazı iptal etti.
   *[other] Operatör cihazlarınızdan birini iptal etti.
  }
event-device-approved = Hesabınıza yeni bir cihaz eklenmesini onayladınız.
event-device-refused = Hesabınıza yeni bir cihaz eklenmesini reddettiniz.
event-certificate-issued = Numaranızı SMS ile kanıtlamanızın ardından numaranız için bir sertifika düzenlendi.
event-certificate-revoked = Numaranız için düzenlenen bir sertifika iptal edildi.
event-sim-changed = SIM kartınız { $date } tarihinde değişti; numaranızın kanıtları bir süre bekletiliyor.
event-authenticators-changed = Operatör, izninizin size nasıl sorulacağını değiştirdi.
event-number-unlocked = Operatör, numaranızın doğrulanmasındaki kilidi kaldırdı.
reason-code-reused = bir giriş kodu iki kez kullanıldı
reason-refresh-reused = eski bir erişim anahtarı yeniden kullanıldı
reason-push-unconfirmed = verilerinizi aldığını onaylamadı
reason-other = bir şeyler yolunda görünmüyordu
via-app = uygulamada
via-ussd = USSD ile
via-sms = SMS ile
via-browser = tarayıcınızda
via-other = telefonunuzda

kind-authorization_request = Hizmetlerden gelen istekler
kind-prompt_sent = Size gönderilen sorular
kind-answer = Yanıtlarınız
kind-consent = Verdiğiniz izinler
kind-token_issued = Hizmetlere verilen erişimler
kind-refusal = Reddedilen istekler
kind-revocation = Geri alınan erişimler
kind-resource_access = Hizmetlerin kullandığı veriler
kind-notification = Bildirimler
kind-sp_flagged = Bildirdiğiniz hizmetler
kind-admin = Hesabınız ve cihazlarınız
kind-resource_refused = Reddedilen veri istekleri

fact-details = Ayrıntılar
fact-kind = Tür
fact-seq = Kayıt
fact-hash = Karma (hash)
fact-authenticator = Kimlik doğrulayıcı
fact-detail = Kaydedilen ayrıntı
fact-service = Hizmet
fact-consent = İzin
fact-scope = Kapsam (scope)
fact-prompt = Gördüğünüz metin
fact-endpoint = Uç nokta
fact-reason = Gerekçe
fact-device = Cihaz
fact-certificate = Sertifika
fact-token = Belirteç
fact-flow = Akış
fact-channel = Kanal
fact-expires = Bitiş
fact-attributes = Öznitelikler

list-comma = {", "}
list-and = { $head } ve { $last }
date-day-month = { $day } { $month }
month-1 = Ocak
month-2 = Şubat
month-3 = Mart
month-4 = Nisan
month-5 = Mayıs
month-6 = Haziran
month-7 = Temmuz
month-8 = Ağustos
month-9 = Eylül
month-10 = Ekim
month-11 = Kasım
month-12 = Aralık
