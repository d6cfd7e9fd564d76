# 履歴の文（日本語）。引数の説明は en.ftl にあります。

event-authorization-request = { $sp_known ->
    [yes] { $sp }があなたのデータの利用を求めました。
   *[no] あるサービスがあなたのデータの利用を求めました。
  }
event-prompt-sent = { $sp_known ->
    [yes] { $via }、あなたのデータを{ $sp }と共有するかどうかを尋ねられました。
   *[no] { $via }、あなたのデータをあるサービスと共有するかどうかを尋ねられました。
  }
event-prompt-sent-sign-in = { $sp_known ->
    [yes] { $via }、{ $sp }へのサインインの確認を求められました。
   *[no] { $via }、あるサービスへのサインインの確認を求められました。
  }
event-answer-yes = { $sp_known ->
    [yes] { $sp }のリクエストを{ $via }承認しました。
   *[no] あるサービスのリクエストを{ $via }承認しました。
  }
event-answer-no = { $sp_known ->
    [yes] { $sp }のリクエストを{ $via }拒否しました。
   *[no] あるサービスのリクエストを{ $via }拒否しました。
  }
event-sign-in-yes = { $sp_known ->
    [yes] { $sp }へのサインインを{ $via }確認しました。
   *[no] あるサービスへのサインインを{ $via }確認しました。
  }
event-sign-in-no = { $sp_known ->
    [yes] { $sp }へのサインインを{ $via }拒否しました。
   *[no] あるサービスへのサインインを{ $via }拒否しました。
  }
event-consent-long-lived = { $sp_known ->
    [yes] 同意を取り消すまで、{ $sp }があなたのデータを利用することを許可しました。
   *[no] 同意を取り消すまで、あるサービスがあなたのデータを利用することを許可しました。
  }
event-consent-until = { $sp_known ->
    [yes] { $date }まで、または同意を取り消すまで、{ $sp }があなたのデータを利用することを許可しました。
   *[no] { $date }まで、または同意を取り消すまで、あるサービスがあなたのデータを利用することを許可しました。
  }
event-consent-once = { $sp_known ->
    [yes] { $sp }があなたのデータを1回利用することを許可しました。
   *[no] あるサービスがあなたのデータを1回利用することを許可しました。
  }
event-token-issued = { $sp_known ->
    [yes] { $sp }にあなたのデータへのアクセスが与えられました。
   *[no] あるサービスにあなたのデータへのアクセスが与えられました。
  }
event-token-renewed = { $sp_known ->
    [yes] { $sp }があなたのデータへのアクセスを更新しました。
   *[no] あるサービスがあなたのデータへのアクセスを更新しました。
  }
event-refusal = { $sp_known ->
    [yes] { $sp }からのリクエストが拒否されました。
   *[no] あるサービスからのリクエストが拒否されました。
  }
event-resource-read = { $sp_known ->
    [yes] { $sp }があなたの{ $attributes }を読み取りました。
   *[no] あるサービスがあなたの{ $attributes }を読み取りました。
  }
event-resource-matched = { $sp_known ->
    [yes] { $sp }があなたの{ $attributes }を自社の情報と照合しました。
   *[no] あるサービスがあなたの{ $attributes }を自社の情報と照合しました。
  }
event-resource-none = { $sp_known ->
    [yes] { $sp }があなたのアカウントを確認しました。データは共有されていません。
   *[no] あるサービスがあなたのアカウントを確認しました。データは共有されていません。
  }
event-resource-refused = { $sp_known ->
    [yes] { $sp }があなたのデータを求めましたが、拒否されました。
   *[no] あなたのデータへのリクエストが拒否されました。
  }
event-refusals-summary = { $sp_known ->
    [yes] { $sp }からの拒否されたリクエストがさらに{ $count }件、一覧に載せずに数えられました。
   *[no] 拒否されたリクエストがさらに{ $count }件、一覧に載せずに数えられました。
  }
event-revoked-here = { $sp_known ->
    [yes] このデバイスで{ $sp }のアクセスを取り消しました。
   *[no] このデバイスであるサービスのアクセスを取り消しました。
  }
event-revoked-elsewhere = { $sp_known ->
    [yes] 別のデバイスで{ $sp }のアクセスを取り消しました。
   *[no] 別のデバイスであるサービスのアクセスを取り消しました。
  }
event-revoked-by-you = { $sp_known ->
    [yes] { $sp }のアクセスを取り消しました。
   *[no] あるサービスのアクセスを取り消しました。
  }
event-stopped-sharing = { $sp_known ->
    [yes] あなたの{ $attributes }を{ $sp }と共有するのをやめました。
   *[no] あなたの{ $attributes }をあるサービスと共有するのをやめました。
  }
event-consent-expired = { $sp_known ->
    [yes] { $sp }のアクセスが終了しました。同意の期限が切れました。
   *[no] あるサービスのアクセスが終了しました。同意の期限が切れました。
  }
event-revoked-by-operator = { $sp_known ->
    [yes] カスタマーサポートがあなたに代わって{ $sp }のデータへのアクセスを取り消しました。
   *[no] カスタマーサポートがあなたに代わってあるサービスのデータへのアクセスを取り消しました。
  }
event-sp-gave-up = { $sp_known ->
    [yes] { $sp }があなたのデータへのアクセスを放棄しました。
   *[no] あるサービスがあなたのデータへのアクセスを放棄しました。
  }
event-cut-off = { $sp_known ->
    [yes] あなたを守るため、ゲートウェイが{ $sp }のアクセスを停止しました（理由: { $reason }）。
   *[no] あなたを守るため、ゲートウェイがあるサービスのアクセスを停止しました（理由: { $reason }）。
  }
event-sp-told = { $sp_known ->
    [yes] { $sp }にあなたの回答が伝えられました。
   *[no] あるサービスにあなたの回答が伝えられました。
  }
event-sp-not-told-yet = { $sp_known ->
    [yes] { $sp }にあなたの回答をまだ伝えられていません。ゲートウェイが再試行します。
   *[no] あるサービスにあなたの回答をまだ伝えられていません。ゲートウェイが再試行します。
  }
event-sp-never-told = { $sp_known ->
    [yes] { $sp }にあなたの回答を伝えられませんでした。ゲートウェイは再試行をやめました。
   *[no] あるサービスにあなたの回答を伝えられませんでした。ゲートウェイは再試行をやめました。
  }
event-sp-told-signed-out = { $sp_known ->
    [yes] { $sp }にあなたをサインアウトさせるよう伝えられました。
   *[no] あるサービスにあなたをサインアウトさせるよう伝えられました。
  }
event-sp-told-access-ended = { $sp_known ->
    [yes] { $sp }にあなたのデータへのアクセスが終了したことが伝えられました。
   *[no] あるサービスにあなたのデータへのアクセスが終了したことが伝えられました。
  }
event-sp-told-new-device = { $sp_known ->
    [yes] { $sp }にあなたが新しいデバイスを追加したことが伝えられました。
   *[no] あるサービスにあなたが新しいデバイスを追加したことが伝えられました。
  }
event-sp-signal-waiting = { $sp_known ->
    [yes] { $sp }にまだ伝えられていません。ゲートウェイが再試行します。
   *[no] あるサービスにまだ伝えられていません。ゲートウェイが再試行します。
  }
event-sp-signal-refused = { $sp_known ->
    [yes] { $sp }はゲートウェイの通知を受け入れませんでした。
   *[no] あるサービスはゲートウェイの通知を受け入れませんでした。
  }
event-you-were-told = { $sp_known ->
    [yes] { $sp }があなたのデータを利用したことが通知されました。
   *[no] あるサービスがあなたのデータを利用したことが通知されました。
  }
event-told-by-sms = どのサービスがあなたのデータを使用したかをSMSでお知らせしました。
event-care-told-by-sms = カスタマーサポートが行った対応をSMSでお知らせしました。
event-you-were-told-check = { $sp_known ->
    [yes] { $sp }があなたのアカウントを確認したことが通知されました。
   *[no] あるサービスがあなたのアカウントを確認したことが通知されました。
  }
event-expiry-reminder = { $sp_known ->
    [yes] お知らせ: { $sp }のアクセスは{ $date }に終了します。
   *[no] お知らせ: あるサービスのアクセスは{ $date }に終了します。
  }
event-reported = { $sp_known ->
    [yes] { $sp }を事業者に報告しました。
   *[no] あるサービスを事業者に報告しました。
  }
event-sp-registered = { $sp_known ->
    [yes] 事業者が{ $sp }を登録しました。
   *[no] 事業者があるサービスを登録しました。
  }
event-sp-blocked = { $sp_known ->
    [yes] 事業者が{ $sp }をブロックしました。
   *[no] 事業者があるサービスをブロックしました。
  }
event-sp-unblocked = { $sp_known ->
    [yes] 事業者が{ $sp }のブロックを解除しました。
   *[no] 事業者があるサービスのブロックを解除しました。
  }
event-other = { $sp_known ->
    [yes] { $sp }について「{ $kind }」の出来事が記録されました。
   *[no] 「{ $kind }」の出来事が記録されました。
  }
event-answer-signed = { $device ->
    [this] このデバイスが、あなたが見たとおりの文面に対して回答に署名しました。
   *[other] あなたのデバイスの1台が、あなたが見たとおりの文面に対して回答に署名しました。
  }
event-device-added = { $device ->
    [this] このデバイスがあなたのアカウントに追加されました。
   *[other] 新しいデバイスがあなたのアカウントに追加されました。
  }
event-device-waiting = { $device ->
    [this] このデバイスがあなたのアカウントへの追加を求め、お持ちのデバイスでの承認を待っています。
   *[other] 新しいデバイスがあなたのアカウントへの追加を求め、あなたの承認を待っています。
  }
event-device-renewed = { $device ->
    [this] このデバイスの証明書が更新されました。
   *[other] あなたのデバイスの1台の証明書が更新されました。
  }
event-device-revoked-by-you = { $device ->
    [this] このデバイスを無効にしました。
   *[other] あなたのデバイスの1台を無効にしました。
  }
event-device-revoked-by-operator = { $device ->
    [this] 事業者がこのデバイスを無効にしました。
   *[other] 事業者があなたのデバイスの1台を無効にしました。
  }
event-device-approved = 新しいデバイスをアカウントに追加することを承認しました。
event-device-refused = 新しいデバイスをアカウントに追加することを拒否しました。
event-certificate-issued = SMS で番号を証明したため、あなたの番号の証明書が発行されました。
event-certificate-revoked = あなたの番号の証明書が失効しました。
event-sim-changed = { $date }に SIM カードが変更されました。しばらくの間、番号の証明は保留されます。
event-authenticators-changed = 事業者が同意の確認方法を変更しました。
event-number-unlocked = 事業者があなたの番号の確認のロックを解除しました。
reason-code-reused = サインイン用のコードが2回使われた
reason-refresh-reused = 古いアクセスキーが再び使われた
reason-push-unconfirmed = データの受信が確認されなかった
reason-other = 不審な点があった
via-app = アプリで
via-ussd = USSD で
via-sms = SMS で
via-browser = ブラウザーで
via-other = 電話で

kind-authorization_request = サービスからのリクエスト
kind-prompt_sent = あなたへの確認
kind-answer = あなたの回答
kind-consent = あなたの同意
kind-token_issued = サービスへのアクセス付与
kind-refusal = 拒否されたリクエスト
kind-revocation = 取り消されたアクセス
kind-resource_access = サービスによるデータ利用
kind-notification = お知らせ
kind-sp_flagged = 報告したサービス
kind-admin = アカウントとデバイス
kind-resource_refused = 拒否されたデータ要求

fact-details = 詳細
fact-kind = 種類
fact-seq = 記録番号
fact-hash = ハッシュ
fact-authenticator = 認証手段
fact-detail = 記録された詳細
fact-service = サービス
fact-consent = 同意
fact-scope = スコープ
fact-prompt = 表示された文面
fact-endpoint = エンドポイント
fact-reason = 理由
fact-device = デバイス
fact-certificate = 証明書
fact-token = トークン
fact-flow = フロー
fact-channel = チャネル
fact-expires = 終了日
fact-attributes = 属性

list-comma = {"、"}
list-and = { $head }と{ $last }
date-day-month = { $month }{ $day }日
month-1 = 1月
month-2 = 2月
month-3 = 3月
month-4 = 4月
month-5 = 5月
month-6 = 6月
month-7 = 7月
month-8 = 8月
month-9 = 9月
month-10 = 10月
month-11 = 11月
month-12 = 12月
