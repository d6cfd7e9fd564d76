# Las frases del historial en español; en.ftl describe los argumentos.

event-authorization-request = { $sp_known ->
    [yes] { $sp } pidió usar tus datos.
   *[no] Un servicio pidió usar tus datos.
  }
event-prompt-sent = { $sp_known ->
    [yes] Se te preguntó { $via } si querías compartir tus datos con { $sp }.
   *[no] Se te preguntó { $via } si querías compartir tus datos con un servicio.
  }
event-prompt-sent-sign-in = { $sp_known ->
    [yes] Se te pidió { $via } que confirmaras el inicio de sesión en { $sp }.
   *[no] Se te pidió { $via } que confirmaras el inicio de sesión en un servicio.
  }
event-answer-yes = { $sp_known ->
    [yes] Aprobaste la solicitud de { $sp } { $via }.
   *[no] Aprobaste la solicitud de un servicio { $via }.
  }
event-answer-no = { $sp_known ->
    [yes] Rechazaste la solicitud de { $sp } { $via }.
   *[no] Rechazaste la solicitud de un servicio { $via }.
  }
event-sign-in-yes = { $sp_known ->
    [yes] Confirmaste el inicio de sesión en { $sp } { $via }.
   *[no] Confirmaste el inicio de sesión en un servicio { $via }.
  }
event-sign-in-no = { $sp_known ->
    [yes] Rechazaste iniciar sesión en { $sp } { $via }.
   *[no] Rechazaste iniciar sesión en un servicio { $via }.
  }
event-consent-long-lived = { $sp_known ->
    [yes] Permitiste que { $sp } usara tus datos hasta que retires tu consentimiento.
   *[no] Permitiste que un servicio usara tus datos hasta que retires tu consentimiento.
  }
event-consent-until = { $sp_known ->
    [yes] Permitiste que { $sp } usara tus datos hasta el { $date }, o hasta que retires tu consentimiento.
   *[no] Permitiste que un servicio usara tus datos hasta el { $date }, o hasta que retires tu consentimiento.
  }
event-consent-once = { $sp_known ->
    [yes] Permitiste que { $sp } usara tus datos una vez.
   *[no] Permitiste que un servicio usara tus datos una vez.
  }
event-token-issued = { $sp_known ->
    [yes] { $sp } obtuvo acceso a tus datos.
   *[no] Un servicio obtuvo acceso a tus datos.
  }
event-token-renewed = { $sp_known ->
    [yes] { $sp } renovó su acceso a tus datos.
   *[no] Un servicio renovó su acceso a tus datos.
  }
event-refusal = { $sp_known ->
    [yes] Se rechazó una solicitud de { $sp }.
   *[no] Se rechazó una solicitud de un servicio.
  }
event-resource-read = { $sp_known ->
    [yes] { $sp } leyó estos datos tuyos: { $attributes }.
   *[no] Un servicio leyó estos datos tuyos: { $attributes }.
  }
event-resource-matched = { $sp_known ->
    [yes] { $sp } comparó estos datos tuyos con los que tiene: { $attributes }.
   *[no] Un servicio comparó estos datos tuyos con los que tiene: { $attributes }.
  }
event-resource-none = { $sp_known ->
    [yes] { $sp } comprobó tu cuenta; no se compartió ningún dato.
   *[no] Un servicio comprobó tu cuenta; no se compartió ningún dato.
  }
event-resource-refused = { $sp_known ->
    [yes] { $sp } pidió tus datos y se le denegaron.
   *[no] Se rechazó una solicitud de tus datos.
  }
event-refusals-summary = { $sp_known ->
    [yes] { $count ->
        [one] Se contó otra solicitud rechazada de { $sp } sin detallarla.
       *[other] Se contaron otras { $count } solicitudes rechazadas de { $sp } sin detallarlas.
      }
   *[no] { $count ->
        [one] Se contó otra solicitud rechazada sin detallarla.
       *[other] Se contaron otras { $count } solicitudes rechazadas sin detallarlas.
      }
  }
event-revoked-here = { $sp_known ->
    [yes] Revocaste el acceso de { $sp } en este dispositivo.
   *[no] Revocaste el acceso de un servicio en este dispositivo.
  }
event-revoked-elsewhere = { $sp_known ->
    [yes] Revocaste el acceso de { $sp } desde otro de tus dispositivos.
   *[no] Revocaste el acceso de un servicio desde otro de tus dispositivos.
  }
event-revoked-by-you = { $sp_known ->
    [yes] Revocaste el acceso de { $sp }.
   *[no] Revocaste el acceso de un servicio.
  }
event-stopped-sharing = { $sp_known ->
    [yes] Dejaste de compartir estos datos con { $sp }: { $attributes }.
   *[no] Dejaste de compartir estos datos con un servicio: { $attributes }.
  }
event-consent-expired = { $sp_known ->
    [yes] El acceso de { $sp } terminó: el consentimiento caducó.
   *[no] El acceso de un servicio terminó: el consentimiento caducó.
  }
event-revoked-by-operator = { $sp_known ->
    [yes] Atención al cliente revocó en tu nombre el acceso de { $sp } a tus datos.
   *[no] Atención al cliente revocó en tu nombre el acceso de un servicio a tus datos.
  }
event-sp-gave-up = { $sp_known ->
    [yes] { $sp } renunció a su acceso a tus datos.
   *[no] Un servicio renunció a su acceso a tus datos.
  }
event-cut-off = { $sp_known ->
    [yes] La pasarela cortó el acceso de { $sp } para protegerte: { $reason }.
   *[no] La pasarela cortó el acceso de un servicio para protegerte: { $reason }.
  }
event-sp-told = { $sp_known ->
    [yes] Se informó a { $sp } de tu respuesta.
   *[no] Se informó a un servicio de tu respuesta.
  }
event-sp-not-told-yet = { $sp_known ->
    [yes] Aún no se pudo informar a { $sp } de tu respuesta; la pasarela lo volverá a intentar.
   *[no] Aún no se pudo informar a un servicio de tu respuesta; la pasarela lo volverá a intentar.
  }
event-sp-never-told = { $sp_known ->
    [yes] No se pudo informar a { $sp } de tu respuesta; la pasarela desistió.
   *[no] No se pudo informar a un servicio de tu respuesta; la pasarela desistió.
  }
event-sp-told-signed-out = { $sp_known ->
    [yes] Se pidió a { $sp } que cerrara tu sesión.
   *[no] Se pidió a un servicio que cerrara tu sesión.
  }
event-sp-told-access-ended = { $sp_known ->
    [yes] Se informó a { $sp } de que su acceso a tus datos terminó.
   *[no] Se informó a un servicio de que su acceso a tus datos terminó.
  }
event-sp-told-new-device = { $sp_known ->
    [yes] Se informó a { $sp } de que añadiste un dispositivo nuevo.
   *[no] Se informó a un servicio de que añadiste un dispositivo nuevo.
  }
event-sp-signal-waiting = { $sp_known ->
    [yes] Aún no se pudo informar a { $sp }; la pasarela lo volverá a intentar.
   *[no] Aún no se pudo informar a un servicio; la pasarela lo volverá a intentar.
  }
event-sp-signal-refused = { $sp_known ->
    [yes] { $sp } no aceptó el aviso de la pasarela.
   *[no] Un servicio no aceptó el aviso de la pasarela.
  }
event-you-were-told = { $sp_known ->
    [yes] Se te avisó de que { $sp } usó tus datos.
   *[no] Se te avisó de que un servicio usó tus datos.
  }
event-told-by-sms = Un SMS te indicó qué servicios usaron tus datos.
event-care-told-by-sms = Un SMS te indicó lo que atención al cliente hizo por ti.
event-you-were-told-check = { $sp_known ->
    [yes] Se te avisó de que { $sp } comprobó tu cuenta.
   *[no] Se te avisó de que un servicio comprobó tu cuenta.
  }
event-expiry-reminder = { $sp_known ->
    [yes] Recordatorio: el acceso de { $sp } termina el { $date }.
   *[no] Recordatorio: el acceso de un servicio termina el { $date }.
  }
event-reported = { $sp_known ->
    [yes] Denunciaste a { $sp } ante el operador.
   *[no] Denunciaste a un servicio ante el operador.
  }
event-sp-registered = { $sp_known ->
    [yes] El operador registró { $sp }.
   *[no] El operador registró un servicio.
  }
event-sp-blocked = { $sp_known ->
    [yes] El operador bloqueó a { $sp }.
   *[no] El operador bloqueó a un servicio.
  }
event-sp-unblocked = { $sp_known ->
    [yes] El operador desbloqueó a { $sp }.
   *[no] El operador desbloqueó a un servicio.
  }
event-other = { $sp_known ->
    [yes] Se registró un evento del tipo «{ $kind }» para { $sp }.
   *[no] Se registró un evento del tipo «{ $kind }».
  }
event-answer-signed = { $device ->
    [this] Este dispositivo firmó tu respuesta sobre el texto exacto que viste.
   *[other] Uno de tus dispositivos firmó tu respuesta sobre el texto exacto que viste.
  }
event-device-added = { $device ->
    [this] Este dispositivo se añadió a tu cuenta.
   *[other] Se añadió un dispositivo nuevo a tu cuenta.
  }
event-device-waiting = { $device ->
    [this] Este dispositivo pidió unirse a tu cuenta y espera la aprobación en un dispositivo que ya tienes.
   *[other] Un dispositivo nuevo pidió unirse a tu cuenta y espera tu aprobación.
  }
event-device-renewed = { $device ->
    [this] Se renovó el certificado de este dispositivo.
   *[other] Se renovó el certificado de uno de tus dispositivos.
  }
event-device-revoked-by-you = { $device ->
    [this] Revocaste este dispositivo.
   *[other] Revocaste uno de tus dispositivos.
  }
event-device-revoked-by-operator = { $device ->
    [this] El operador revocó este dispositivo.
   *[other] El operador revocó uno de tus dispositivos.
  }
event-device-approved = Aprobaste añadir un dispositivo nuevo a tu cuenta.
event-device-refused = Rechazaste añadir un dispositivo nuevo a tu cuenta.
event-certificate-issued = Se emitió un certificado para tu número después de que lo demostraras por SMS.
event-certificate-revoked = Se revocó un certificado de tu número.
event-sim-changed = Tu tarjeta SIM cambió el { $date }; las pruebas de tu número quedan en espera durante un tiempo.
event-authenticators-changed = El operador cambió la forma en que se te pide el consentimiento.
event-number-unlocked = El operador desbloqueó la verificación de tu número.
reason-code-reused = se usó dos veces un código de inicio de sesión
reason-refresh-reused = se volvió a usar una clave de acceso antigua
reason-push-unconfirmed = no confirmó haber recibido tus datos
reason-other = algo no parecía correcto
via-app = en la aplicación
via-ussd = por USSD
via-sms = por SMS
via-browser = en tu navegador
via-other = en tu teléfono

kind-authorization_request = Solicitudes de servicios
kind-prompt_sent = Preguntas que se te enviaron
kind-answer = Tus respuestas
kind-consent = Tus consentimientos
kind-token_issued = Accesos dados a servicios
kind-refusal = Solicitudes rechazadas
kind-revocation = Accesos retirados
kind-resource_access = Datos usados por servicios
kind-notification = Avisos
kind-sp_flagged = Servicios que denunciaste
kind-admin = Tu cuenta y tus dispositivos
kind-resource_refused = Solicitudes de datos rechazadas

fact-details = Detalles
fact-kind = Tipo
fact-seq = Entrada
fact-hash = Hash
fact-authenticator = Autenticador
fact-detail = Detalle registrado
fact-service = Servicio
fact-consent = Consentimiento
fact-scope = Alcance (scope)
fact-prompt = Texto que viste
fact-endpoint = Punto de acceso
fact-reason = Motivo
fact-device = Dispositivo
fact-certificate = Certificado
fact-token = Token
fact-flow = Flujo
fact-channel = Canal
fact-expires = Termina
fact-attributes = Atributos

list-comma = {", "}
list-and = { $head } y { $last }
date-day-month = { $day } de { $month }
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre
