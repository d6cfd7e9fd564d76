# As frases do histórico em português; en.ftl descreve os argumentos.

event-authorization-request = { $sp_known ->
    [yes] { $sp } pediu para usar os seus dados.
   *[no] Um serviço pediu para usar os seus dados.
  }
event-prompt-sent = { $sp_known ->
    [yes] Foi-lhe perguntado { $via } se queria partilhar os seus dados com { $sp }.
   *[no] Foi-lhe perguntado { $via } se queria partilhar os seus dados com um serviço.
  }
event-prompt-sent-sign-in = { $sp_known ->
    [yes] Foi-lhe pedido { $via } que confirmasse o início de sessão em { $sp }.
   *[no] Foi-lhe pedido { $via } que confirmasse o início de sessão num serviço.
  }
event-answer-yes = { $sp_known ->
    [yes] Aprovou o pedido de { $sp } { $via }.
   *[no] Aprovou o pedido de um serviço { $via }.
  }
event-answer-no = { $sp_known ->
    [yes] Recusou o pedido de { $sp } { $via }.
   *[no] Recusou o pedido de um serviço { $via }.
  }
event-sign-in-yes = { $sp_known ->
    [yes] Confirmou o início de sessão em { $sp } { $via }.
   *[no] Confirmou o início de sessão num serviço { $via }.
  }
event-sign-in-no = { $sp_known ->
    [yes] Recusou iniciar sessão em { $sp } { $via }.
   *[no] Recusou iniciar sessão num serviço { $via }.
  }
event-consent-long-lived = { $sp_known ->
    [yes] Autorizou { $sp } a usar os seus dados até retirar o consentimento.
   *[no] Autorizou um serviço a usar os seus dados até retirar o consentimento.
  }
event-consent-until = { $sp_known ->
    [yes] Autorizou { $sp } a usar os seus dados até { $date }, ou até retirar o consentimento.
   *[no] Autorizou um serviço a usar os seus dados até { $date }, ou até retirar o consentimento.
  }
event-consent-once = { $sp_known ->
    [yes] Autorizou { $sp } a usar os seus dados uma vez.
   *[no] Autorizou um serviço a usar os seus dados uma vez.
  }
event-token-issued = { $sp_known ->
    [yes] { $sp } obteve acesso aos seus dados.
   *[no] Um serviço obteve acesso aos seus dados.
  }
event-token-renewed = { $sp_known ->
    [yes] { $sp } renovou o acesso aos seus dados.
   *[no] Um serviço renovou o acesso aos seus dados.
  }
event-refusal = { $sp_known ->
    [yes] Um pedido de { $sp } foi recusado.
   *[no] Um pedido de um serviço foi recusado.
  }
event-resource-read = { $sp_known ->
    [yes] { $sp } leu estes dados seus: { $attributes }.
   *[no] Um serviço leu estes dados seus: { $attributes }.
  }
event-resource-matched = { $sp_known ->
    [yes] { $sp } comparou estes dados seus com os que tem: { $attributes }.
   *[no] Um serviço comparou estes dados seus com os que tem: { $attributes }.
  }
event-resource-none = { $sp_known ->
    [yes] { $sp } verificou a sua conta; nenhum dado foi partilhado.
   *[no] Um serviço verificou a sua conta; nenhum dado foi partilhado.
  }
event-resource-refused = { $sp_known ->
    [yes] { $sp } pediu os seus dados e o pedido foi recusado.
   *[no] Um pedido dos seus dados foi recusado.
  }
event-refusals-summary = { $sp_known ->
    [yes] { $count ->
        [one] Mais um pedido recusado de { $sp } foi contado sem ser listado.
       *[other] Mais { $count } pedidos recusados de { $sp } foram contados sem serem listados.
      }
   *[no] { $count ->
        [one] Mais um pedido recusado foi contado sem ser listado.
       *[other] Mais { $count } pedidos recusados foram contados sem serem listados.
      }
  }
event-revoked-here = { $sp_known ->
    [yes] Revogou o acesso de { $sp } neste dispositivo.
   *[no] Revogou o acesso de um serviço neste dispositivo.
  }
event-revoked-elsewhere = { $sp_known ->
    [yes] Revogou o acesso de { $sp } noutro dos seus dispositivos.
   *[no] Revogou o acesso de um serviço noutro dos seus dispositivos.
  }
event-revoked-by-you = { $sp_known ->
    [yes] Revogou o acesso de { $sp }.
   *[no] Revogou o acesso de um serviço.
  }
event-stopped-sharing = { $sp_known ->
    [yes] Deixou de partilhar estes dados com { $sp }: { $attributes }.
   *[no] Deixou de partilhar estes dados com um serviço: { $attributes }.
  }
event-consent-expired = { $sp_known ->
    [yes] O acesso de { $sp } terminou: o consentimento expirou.
   *[no] O acesso de um serviço terminou: o consentimento expirou.
  }
event-revoked-by-operator = { $sp_known ->
    [yes] O apoio ao cliente revogou, em seu nome, o acesso de { $sp } aos seus dados.
   *[no] O apoio ao cliente revogou, em seu nome, o acesso de um serviço aos seus dados.
  }
event-sp-gave-up = { $sp_known ->
    [yes] { $sp } renunciou ao acesso aos seus dados.
   *[no] Um serviço renunciou ao acesso aos seus dados.
  }
event-cut-off = { $sp_known ->
    [yes] O gateway cortou o acesso de { $sp } para o proteger: { $reason }.
   *[no] O gateway cortou o acesso de um serviço para o proteger: { $reason }.
  }
event-sp-told = { $sp_known ->
    [yes] { $sp } foi informado da sua resposta.
   *[no] Um serviço foi informado da sua resposta.
  }
event-sp-not-told-yet = { $sp_known ->
    [yes] Ainda não foi possível informar { $sp } da sua resposta; o gateway vai tentar de novo.
   *[no] Ainda não foi possível informar um serviço da sua resposta; o gateway vai tentar de novo.
  }
event-sp-never-told = { $sp_known ->
    [yes] Não foi possível informar { $sp } da sua resposta; o gateway desistiu.
   *[no] Não foi possível informar um serviço da sua resposta; o gateway desistiu.
  }
event-sp-told-signed-out = { $sp_known ->
    [yes] { $sp } foi instruído a encerrar a sua sessão.
   *[no] Um serviço foi instruído a encerrar a sua sessão.
  }
event-sp-told-access-ended = { $sp_known ->
    [yes] { $sp } foi informado de que o acesso aos seus dados terminou.
   *[no] Um serviço foi informado de que o acesso aos seus dados terminou.
  }
event-sp-told-new-device = { $sp_known ->
    [yes] { $sp } foi informado de que você adicionou um novo dispositivo.
   *[no] Um serviço foi informado de que você adicionou um novo dispositivo.
  }
event-sp-signal-waiting = { $sp_known ->
    [yes] Ainda não foi possível informar { $sp }; o gateway vai tentar de novo.
   *[no] Ainda não foi possível informar um serviço; o gateway vai tentar de novo.
  }
event-sp-signal-refused = { $sp_known ->
    [yes] { $sp } não aceitou o aviso do gateway.
   *[no] Um serviço não aceitou o aviso do gateway.
  }
event-you-were-told = { $sp_known ->
    [yes] Foi avisado de que { $sp } usou os seus dados.
   *[no] Foi avisado de que um serviço usou os seus dados.
  }
event-told-by-sms = Foi informado por SMS dos serviços que usaram os seus dados.
event-care-told-by-sms = Foi informado por SMS do que o apoio ao cliente fez por si.
event-you-were-told-check = { $sp_known ->
    [yes] Foi avisado de que { $sp } verificou a sua conta.
   *[no] Foi avisado de que um serviço verificou a sua conta.
  }
event-expiry-reminder = { $sp_known ->
    [yes] Lembrete: o acesso de { $sp } termina a { $date }.
   *[no] Lembrete: o acesso de um serviço termina a { $date }.
  }
event-reported = { $sp_known ->
    [yes] Denunciou { $sp } ao operador.
   *[no] Denunciou um serviço ao operador.
  }
event-sp-registered = { $sp_known ->
    [yes] O operador registou { $sp }.
   *[no] O operador registou um serviço.
  }
event-sp-blocked = { $sp_known ->
    [yes] O operador bloqueou { $sp }.
   *[no] O operador bloqueou um serviço.
  }
event-sp-unblocked = { $sp_known ->
    [yes] O operador desbloqueou { $sp }.
   *[no] O operador desbloqueou um serviço.
  }
event-other = { $sp_known ->
    [yes] Foi registado um evento do tipo «{ $kind }» para { $sp }.
   *[no] Foi registado um evento do tipo «{ $kind }».
  }
event-answer-signed = { $device ->
    [this] Este dispositivo assinou a sua resposta sobre o texto exato que viu.
   *[other] Um dos seus dispositivos assinou a sua resposta sobre o texto exato que viu.
  }
event-device-added = { $device ->
    [this] Este dispositivo foi adicionado à sua conta.
   *[other] Um novo dispositivo foi adicionado à sua conta.
  }
event-device-waiting = { $device ->
    [this] Este dispositivo pediu para entrar na sua conta e aguarda aprovação num dispositivo que já tem.
   *[other] Um novo dispositivo pediu para entrar na sua conta e aguarda a sua aprovação.
  }
event-device-renewed = { $device ->
    [this] O certificado deste dispositivo foi renovado.
   *[other] O certificado de um dos seus dispositivos foi renovado.
  }
event-device-revoked-by-you = { $device ->
    [this] Revogou este dispositivo.
   *[other] Revogou um dos seus dispositivos.
  }
event-device-revoked-by-operator = { $device ->
    [this] O operador revogou este dispositivo.
   *[other] O operador revogou um dos seus dispositivos.
  }
event-device-approved = Aprovou a adição de um novo dispositivo à sua conta.
event-device-refused = Recusou a adição de um novo dispositivo à sua conta.
event-certificate-issued = Foi emitido um certificado para o seu número depois de o comprovar por SMS.
event-certificate-revoked = Um certificado do seu número foi revogado.
event-sim-changed = O seu cartão SIM mudou a { $date }; as provas do seu número ficam suspensas durante algum tempo.
event-authenticators-changed = O operador mudou a forma como o seu consentimento lhe é pedido.
event-number-unlocked = O operador desbloqueou a verificação do seu número.
reason-code-reused = um código de início de sessão foi usado duas vezes
reason-refresh-reused = uma chave de acesso antiga foi usada de novo
reason-push-unconfirmed = não confirmou ter recebido os seus dados
reason-other = algo parecia errado
via-app = na aplicação
via-ussd = por USSD
via-sms = por SMS
via-browser = no seu navegador
via-other = no seu telemóvel

kind-authorization_request = Pedidos de serviços
kind-prompt_sent = Perguntas que lhe foram enviadas
kind-answer = As suas respostas
kind-consent = Os seus consentimentos
kind-token_issued = Acessos dados a serviços
kind-refusal = Pedidos recusados
kind-revocation = Acessos retirados
kind-resource_access = Dados usados por serviços
kind-notification = Avisos
kind-sp_flagged = Serviços que denunciou
kind-admin = A sua conta e dispositivos
kind-resource_refused = Pedidos de dados recusados

fact-details = Detalhes
fact-kind = Tipo
fact-seq = Entrada
fact-hash = Hash
fact-authenticator = Autenticador
fact-detail = Detalhe registado
fact-service = Serviço
fact-consent = Consentimento
fact-scope = Âmbito (scope)
fact-prompt = Texto que viu
fact-endpoint = Ponto de acesso
fact-reason = Motivo
fact-device = Dispositivo
fact-certificate = Certificado
fact-token = Token
fact-flow = Fluxo
fact-channel = Canal
fact-expires = Termina
fact-attributes = Atributos

list-comma = {", "}
list-and = { $head } e { $last }
date-day-month = { $day } de { $month }
month-1 = janeiro
month-2 = fevereiro
month-3 = março
month-4 = abril
month-5 = maio
month-6 = junho
month-7 = julho
month-8 = agosto
month-9 = setembro
month-10 = outubro
month-11 = novembro
month-12 = dezembro
