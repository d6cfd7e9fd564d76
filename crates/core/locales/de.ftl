# Die Sätze der Historie auf Deutsch; die Argumente beschreibt en.ftl.

event-authorization-request = { $sp_known ->
    [yes] { $sp } hat um Zugriff auf Ihre Daten gebeten.
   *[no] Ein Dienst hat um Zugriff auf Ihre Daten gebeten.
  }
event-prompt-sent = { $sp_known ->
    [yes] Sie wurden { $via } gefragt, ob Sie Ihre Daten mit { $sp } teilen möchten.
   *[no] Sie wurden { $via } gefragt, ob Sie Ihre Daten mit einem Dienst teilen möchten.
  }
event-prompt-sent-sign-in = { $sp_known ->
    [yes] Sie wurden { $via } gebeten, die Anmeldung bei { $sp } zu bestätigen.
   *[no] Sie wurden { $via } gebeten, die Anmeldung bei einem Dienst zu bestätigen.
  }
event-answer-yes = { $sp_known ->
    [yes] Sie haben die Anfrage von { $sp } { $via } angenommen.
   *[no] Sie haben die Anfrage eines Dienstes { $via } angenommen.
  }
event-answer-no = { $sp_known ->
    [yes] Sie haben die Anfrage von { $sp } { $via } abgelehnt.
   *[no] Sie haben die Anfrage eines Dienstes { $via } abgelehnt.
  }
event-sign-in-yes = { $sp_known ->
    [yes] Sie haben die Anmeldung bei { $sp } { $via } bestätigt.
   *[no] Sie haben die Anmeldung bei einem Dienst { $via } bestätigt.
  }
event-sign-in-no = { $sp_known ->
    [yes] Sie haben die Anmeldung bei { $sp } { $via } abgelehnt.
   *[no] Sie haben die Anmeldung bei einem Dienst { $via } abgelehnt.
  }
event-consent-long-lived = { $sp_known ->
    [yes] Sie haben { $sp } erlaubt, Ihre Daten zu nutzen, bis Sie die Einwilligung widerrufen.
   *[no] Sie haben einem Dienst erlaubt, Ihre Daten zu nutzen, bis Sie die Einwilligung widerrufen.
  }
event-consent-until = { $sp_known ->
    [yes] Sie haben { $sp } erlaubt, Ihre Daten bis { $date } zu nutzen, oder bis Sie die Einwilligung widerrufen.
   *[no] Sie haben einem Dienst erlaubt, Ihre Daten bis { $date } zu nutzen, oder bis Sie die Einwilligung widerrufen.
  }
event-consent-once = { $sp_known ->
    [yes] Sie haben { $sp } erlaubt, Ihre Daten einmal zu nutzen.
   *[no] Sie haben einem Dienst erlaubt, Ihre Daten einmal zu nutzen.
  }
event-token-issued = { $sp_known ->
    [yes] { $sp } hat Zugriff auf Ihre Daten erhalten.
   *[no] Ein Dienst hat Zugriff auf Ihre Daten erhalten.
  }
event-token-renewed = { $sp_known ->
    [yes] { $sp } hat seinen Zugriff auf Ihre Daten erneuert.
   *[no] Ein Dienst hat seinen Zugriff auf Ihre Daten erneuert.
  }
event-refusal = { $sp_known ->
    [yes] Eine Anfrage von { $sp } wurde abgewiesen.
   *[no] Eine Anfrage eines Dienstes wurde abgewiesen.
  }
event-resource-read = { $sp_known ->
    [yes] { $sp } hat diese Daten von Ihnen gelesen: { $attributes }.
   *[no] Ein Dienst hat diese Daten von Ihnen gelesen: { $attributes }.
  }
event-resource-matched = { $sp_known ->
    [yes] { $sp } hat diese Daten von Ihnen mit seinen eigenen abgeglichen: { $attributes }.
   *[no] Ein Dienst hat diese Daten von Ihnen mit seinen eigenen abgeglichen: { $attributes }.
  }
event-resource-none = { $sp_known ->
    [yes] { $sp } hat Ihr Konto geprüft; es wurden keine Daten weitergegeben.
   *[no] Ein Dienst hat Ihr Konto geprüft; es wurden keine Daten weitergegeben.
  }
event-resource-refused = { $sp_known ->
    [yes] { $sp } hat Ihre Daten angefragt und wurde abgewiesen.
   *[no] Eine Anfrage nach Ihren Daten wurde abgewiesen.
  }
event-refusals-summary = { $sp_known ->
    [yes] { $count ->
        [one] Eine weitere abgewiesene Anfrage von { $sp } wurde gezählt, aber nicht einzeln aufgeführt.
       *[other] { $count } weitere abgewiesene Anfragen von { $sp } wurden gezählt, aber nicht einzeln aufgeführt.
      }
   *[no] { $count ->
        [one] Eine weitere abgewiesene Anfrage wurde gezählt, aber nicht einzeln aufgeführt.
       *[other] { $count } weitere abgewiesene Anfragen wurden gezählt, aber nicht einzeln aufgeführt.
      }
  }
event-revoked-here = { $sp_known ->
    [yes] Sie haben den Zugriff von { $sp } auf diesem Gerät widerrufen.
   *[no] Sie haben den Zugriff eines Dienstes auf diesem Gerät widerrufen.
  }
event-revoked-elsewhere = { $sp_known ->
    [yes] Sie haben den Zugriff von { $sp } auf einem anderen Ihrer Geräte widerrufen.
   *[no] Sie haben den Zugriff eines Dienstes auf einem anderen Ihrer Geräte widerrufen.
  }
event-revoked-by-you = { $sp_known ->
    [yes] Sie haben den Zugriff von { $sp } widerrufen.
   *[no] Sie haben den Zugriff eines Dienstes widerrufen.
  }
event-stopped-sharing = { $sp_known ->
    [yes] Sie teilen diese Daten nicht mehr mit { $sp }: { $attributes }.
   *[no] Sie teilen diese Daten nicht mehr mit einem Dienst: { $attributes }.
  }
event-consent-expired = { $sp_known ->
    [yes] Der Zugriff von { $sp } ist beendet: Die Einwilligung ist abgelaufen.
   *[no] Der Zugriff eines Dienstes ist beendet: Die Einwilligung ist abgelaufen.
  }
event-revoked-by-operator = { $sp_known ->
    [yes] Der Kundendienst hat den Zugriff von { $sp } auf Ihre Daten in Ihrem Auftrag widerrufen.
   *[no] Der Kundendienst hat den Zugriff eines Dienstes auf Ihre Daten in Ihrem Auftrag widerrufen.
  }
event-sp-gave-up = { $sp_known ->
    [yes] { $sp } hat auf seinen Zugriff auf Ihre Daten verzichtet.
   *[no] Ein Dienst hat auf seinen Zugriff auf Ihre Daten verzichtet.
  }
event-cut-off = { $sp_known ->
    [yes] Das Gateway hat den Zugriff von { $sp } zu Ihrem Schutz gesperrt: { $reason }.
   *[no] Das Gateway hat den Zugriff eines Dienstes zu Ihrem Schutz gesperrt: { $reason }.
  }
event-sp-told = { $sp_known ->
    [yes] { $sp } wurde über Ihre Antwort informiert.
   *[no] Ein Dienst wurde über Ihre Antwort informiert.
  }
event-sp-not-told-yet = { $sp_known ->
    [yes] { $sp } konnte noch nicht über Ihre Antwort informiert werden; das Gateway versucht es erneut.
   *[no] Ein Dienst konnte noch nicht über Ihre Antwort informiert werden; das Gateway versucht es erneut.
  }
event-sp-never-told = { $sp_known ->
    [yes] { $sp } konnte nicht über Ihre Antwort informiert werden; das Gateway hat aufgegeben.
   *[no] Ein Dienst konnte nicht über Ihre Antwort informiert werden; das Gateway hat aufgegeben.
  }
event-sp-told-signed-out = { $sp_known ->
    [yes] { $sp } wurde aufgefordert, Sie abzumelden.
   *[no] Ein Dienst wurde aufgefordert, Sie abzumelden.
  }
event-sp-told-access-ended = { $sp_known ->
    [yes] { $sp } wurde informiert, dass sein Zugriff auf Ihre Daten beendet ist.
   *[no] Ein Dienst wurde informiert, dass sein Zugriff auf Ihre Daten beendet ist.
  }
event-sp-told-new-device = { $sp_known ->
    [yes] { $sp } wurde informiert, dass Sie ein neues Gerät hinzugefügt haben.
   *[no] Ein Dienst wurde informiert, dass Sie ein neues Gerät hinzugefügt haben.
  }
event-sp-signal-waiting = { $sp_known ->
    [yes] { $sp } konnte noch nicht informiert werden; das Gateway versucht es erneut.
   *[no] Ein Dienst konnte noch nicht informiert werden; das Gateway versucht es erneut.
  }
event-sp-signal-refused = { $sp_known ->
    [yes] { $sp } hat die Mitteilung des Gateways nicht angenommen.
   *[no] Ein Dienst hat die Mitteilung des Gateways nicht angenommen.
  }
event-you-were-told = { $sp_known ->
    [yes] Sie wurden benachrichtigt, dass { $sp } Ihre Daten genutzt hat.
   *[no] Sie wurden benachrichtigt, dass ein Dienst Ihre Daten genutzt hat.
  }
event-told-by-sms = Per SMS wurde Ihnen mitgeteilt, welche Dienste Ihre Daten genutzt haben.
event-care-told-by-sms = Per SMS wurde Ihnen mitgeteilt, was der Kundendienst für Sie getan hat.
event-you-were-told-check = { $sp_known ->
    [yes] Sie wurden benachrichtigt, dass { $sp } Ihr Konto geprüft hat.
   *[no] Sie wurden benachrichtigt, dass ein Dienst Ihr Konto geprüft hat.
  }
event-expiry-reminder = { $sp_known ->
    [yes] Erinnerung: Der Zugriff von { $sp } endet am { $date }.
   *[no] Erinnerung: Der Zugriff eines Dienstes endet am { $date }.
  }
event-reported = { $sp_known ->
    [yes] Sie haben { $sp } beim Betreiber gemeldet.
   *[no] Sie haben einen Dienst beim Betreiber gemeldet.
  }
event-sp-registered = { $sp_known ->
    [yes] Der Betreiber hat { $sp } registriert.
   *[no] Der Betreiber hat einen Dienst registriert.
  }
event-sp-blocked = { $sp_known ->
    [yes] Der Betreiber hat { $sp } gesperrt.
   *[no] Der Betreiber hat einen Dienst gesperrt.
  }
event-sp-unblocked = { $sp_known ->
    [yes] Der Betreiber hat { $sp } wieder zugelassen.
   *[no] Der Betreiber hat einen Dienst wieder zugelassen.
  }
event-other = { $sp_known ->
    [yes] Ein Ereignis der Art „{ $kind }“ wurde für { $sp } aufgezeichnet.
   *[no] Ein Ereignis der Art „{ $kind }“ wurde aufgezeichnet.
  }
event-answer-signed = { $device ->
    [this] Dieses Gerät hat Ihre Antwort über genau den Text signiert, den Sie gesehen haben.
   *[other] Eines Ihrer Geräte hat Ihre Antwort über genau den Text signiert, den Sie gesehen haben.
  }
event-device-added = { $device ->
    [this] Dieses Gerät wurde Ihrem Konto hinzugefügt.
   *[other] Ein neues Gerät wurde Ihrem Konto hinzugefügt.
  }
event-device-waiting = { $device ->
    [this] Dieses Gerät möchte Ihrem Konto beitreten und wartet auf die Freigabe auf einem Ihrer bisherigen Geräte.
   *[other] Ein neues Gerät möchte Ihrem Konto beitreten und wartet auf Ihre Freigabe.
  }
event-device-renewed = { $device ->
    [this] Das Zertifikat dieses Geräts wurde erneuert.
   *[other] Das Zertifikat eines Ihrer Geräte wurde erneuert.
  }
event-device-revoked-by-you = { $device ->
    [this] Sie haben dieses Gerät gesperrt.
   *[other] Sie haben eines Ihrer Geräte gesperrt.
  }
event-device-revoked-by-operator = { $device ->
    [this] Der Betreiber hat dieses Gerät gesperrt.
   *[other] Der Betreiber hat eines Ihrer Geräte gesperrt.
  }
event-device-approved = Sie haben ein neues Gerät für Ihr Konto freigegeben.
event-device-refused = Sie haben ein neues Gerät für Ihr Konto abgelehnt.
event-certificate-issued = Für Ihre Nummer wurde ein Zertifikat ausgestellt, nachdem Sie sie per SMS bestätigt haben.
event-certificate-revoked = Ein Zertifikat für Ihre Nummer wurde widerrufen.
event-sim-changed = Ihre SIM-Karte wurde am { $date } gewechselt; Nachweise Ihrer Nummer werden eine Zeit lang zurückgehalten.
event-authenticators-changed = Der Betreiber hat geändert, wie Sie um Ihre Einwilligung gefragt werden.
event-number-unlocked = Der Betreiber hat die Bestätigung Ihrer Nummer wieder freigegeben.
reason-code-reused = ein Anmeldecode wurde zweimal verwendet
reason-refresh-reused = ein alter Zugriffsschlüssel wurde erneut verwendet
reason-push-unconfirmed = der Empfang Ihrer Daten wurde nicht bestätigt
reason-other = etwas wirkte nicht in Ordnung
via-app = in der App
via-ussd = per USSD
via-sms = per SMS
via-browser = in Ihrem Browser
via-other = auf Ihrem Telefon

kind-authorization_request = Anfragen von Diensten
kind-prompt_sent = An Sie gesendete Fragen
kind-answer = Ihre Antworten
kind-consent = Ihre Einwilligungen
kind-token_issued = Zugriffe für Dienste
kind-refusal = Abgewiesene Anfragen
kind-revocation = Widerrufene Zugriffe
kind-resource_access = Von Diensten genutzte Daten
kind-notification = Mitteilungen
kind-sp_flagged = Von Ihnen gemeldete Dienste
kind-admin = Ihr Konto und Ihre Geräte
kind-resource_refused = Abgewiesene Datenanfragen

fact-details = Details
fact-kind = Art
fact-seq = Eintrag
fact-hash = Hash
fact-authenticator = Authentifizierung
fact-detail = Aufgezeichnete Angaben
fact-service = Dienst
fact-consent = Einwilligung
fact-scope = Umfang (Scope)
fact-prompt = Von Ihnen gesehener Text
fact-endpoint = Endpunkt
fact-reason = Grund
fact-device = Gerät
fact-certificate = Zertifikat
fact-token = Token
fact-flow = Ablauf
fact-channel = Kanal
fact-expires = Endet
fact-attributes = Attribute

list-comma = {", "}
list-and = { $head } und { $last }
date-day-month = { $day }. { $month }
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember
