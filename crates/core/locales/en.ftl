# What happened, in words: one sentence per audit entry of the user's history (the app's
# History screen and `assent audit`). crates/core/src/describe.rs picks the message and its
# arguments; crates/core/src/words.rs (the command) and ui/src/words.ts (the app) format them.
#
# Arguments:
#   $sp        the SP's name (shown only in the [yes] variant of $sp_known)
#   $sp_known  yes: the SP's name is known; no: say "a service" in the sentence's own words
#   $via       how you were asked or answered (one of the via-* messages below)
#   $device    this: this device; other: another of your devices
#   $attributes  attribute labels from the consent prompts, joined with list-and
#   $date      a day and month (date-day-month)

## Requests and answers

event-authorization-request = { $sp_known ->
    [yes] { $sp } asked to use your data.
   *[no] A service asked to use your data.
  }
event-prompt-sent = { $sp_known ->
    [yes] You were asked { $via } whether to share your data with { $sp }.
   *[no] You were asked { $via } whether to share your data with a service.
  }
event-prompt-sent-sign-in = { $sp_known ->
    [yes] You were asked { $via } to confirm signing in to { $sp }.
   *[no] You were asked { $via } to confirm signing in to a service.
  }
event-answer-yes = { $sp_known ->
    [yes] You approved { $sp }'s request { $via }.
   *[no] You approved a service's request { $via }.
  }
event-answer-no = { $sp_known ->
    [yes] You denied { $sp }'s request { $via }.
   *[no] You denied a service's request { $via }.
  }
event-sign-in-yes = { $sp_known ->
    [yes] You confirmed signing in to { $sp } { $via }.
   *[no] You confirmed signing in to a service { $via }.
  }
event-sign-in-no = { $sp_known ->
    [yes] You refused to sign in to { $sp } { $via }.
   *[no] You refused to sign in to a service { $via }.
  }
event-answer-signed = { $device ->
    [this] This device signed your answer over the exact text you saw.
   *[other] One of your devices signed your answer over the exact text you saw.
  }

## Consents and access

event-consent-long-lived = { $sp_known ->
    [yes] You allowed { $sp } to use your data until you withdraw it.
   *[no] You allowed a service to use your data until you withdraw it.
  }
event-consent-until = { $sp_known ->
    [yes] You allowed { $sp } to use your data until { $date }, or until you withdraw it.
   *[no] You allowed a service to use your data until { $date }, or until you withdraw it.
  }
event-consent-once = { $sp_known ->
    [yes] You allowed { $sp } to use your data once.
   *[no] You allowed a service to use your data once.
  }
event-token-issued = { $sp_known ->
    [yes] { $sp } was given access to your data.
   *[no] A service was given access to your data.
  }
event-token-renewed = { $sp_known ->
    [yes] { $sp } renewed its access to your data.
   *[no] A service renewed its access to your data.
  }
event-refusal = { $sp_known ->
    [yes] A request from { $sp } was refused.
   *[no] A request from a service was refused.
  }
event-resource-read = { $sp_known ->
    [yes] { $sp } read your { $attributes }.
   *[no] A service read your { $attributes }.
  }
event-resource-matched = { $sp_known ->
    [yes] { $sp } checked your { $attributes } against what it holds.
   *[no] A service checked your { $attributes } against what it holds.
  }
event-resource-none = { $sp_known ->
    [yes] { $sp } checked your account; no data was shared.
   *[no] A service checked your account; no data was shared.
  }
event-resource-refused = { $sp_known ->
    [yes] { $sp } asked for your data and was refused.
   *[no] A request for your data was refused.
  }
event-refusals-summary = { $sp_known ->
    [yes] { $count ->
        [one] One more refused request from { $sp } was counted without being listed.
       *[other] { $count } more refused requests from { $sp } were counted without being listed.
      }
   *[no] { $count ->
        [one] One more refused request was counted without being listed.
       *[other] { $count } more refused requests were counted without being listed.
      }
  }

## Withdrawn access

event-revoked-here = { $sp_known ->
    [yes] You revoked { $sp }'s access on this device.
   *[no] You revoked a service's access on this device.
  }
event-revoked-elsewhere = { $sp_known ->
    [yes] You revoked { $sp }'s access on another of your devices.
   *[no] You revoked a service's access on another of your devices.
  }
event-revoked-by-you = { $sp_known ->
    [yes] You revoked { $sp }'s access.
   *[no] You revoked a service's access.
  }
event-stopped-sharing = { $sp_known ->
    [yes] You stopped sharing your { $attributes } with { $sp }.
   *[no] You stopped sharing your { $attributes } with a service.
  }
event-consent-expired = { $sp_known ->
    [yes] { $sp }'s access ended: the consent expired.
   *[no] A service's access ended: the consent expired.
  }
event-revoked-by-operator = { $sp_known ->
    [yes] Customer care revoked { $sp }'s access to your data, on your behalf.
   *[no] Customer care revoked a service's access to your data, on your behalf.
  }
event-sp-gave-up = { $sp_known ->
    [yes] { $sp } gave up its access to your data.
   *[no] A service gave up its access to your data.
  }
event-cut-off = { $sp_known ->
    [yes] The gateway cut off { $sp }'s access to protect you: { $reason }.
   *[no] The gateway cut off a service's access to protect you: { $reason }.
  }
reason-code-reused = a sign-in code was used twice
reason-refresh-reused = an old access key was used again
reason-push-unconfirmed = it did not confirm receiving your data
reason-other = something looked wrong

## Notices

event-sp-told = { $sp_known ->
    [yes] { $sp } was told of your answer.
   *[no] A service was told of your answer.
  }
event-sp-not-told-yet = { $sp_known ->
    [yes] { $sp } could not be told of your answer yet; the gateway will try again.
   *[no] A service could not be told of your answer yet; the gateway will try again.
  }
event-sp-never-told = { $sp_known ->
    [yes] { $sp } could not be told of your answer; the gateway gave up.
   *[no] A service could not be told of your answer; the gateway gave up.
  }
event-sp-told-signed-out = { $sp_known ->
    [yes] { $sp } was told to sign you out.
   *[no] A service was told to sign you out.
  }
event-sp-told-access-ended = { $sp_known ->
    [yes] { $sp } was told that its access to your data ended.
   *[no] A service was told that its access to your data ended.
  }
event-sp-told-new-device = { $sp_known ->
    [yes] { $sp } was told that you added a new device.
   *[no] A service was told that you added a new device.
  }
event-sp-signal-waiting = { $sp_known ->
    [yes] { $sp } could not be told yet; the gateway will try again.
   *[no] A service could not be told yet; the gateway will try again.
  }
event-sp-signal-refused = { $sp_known ->
    [yes] { $sp } did not accept the gateway's notice.
   *[no] A service did not accept the gateway's notice.
  }
event-you-were-told = { $sp_known ->
    [yes] You were notified that { $sp } used your data.
   *[no] You were notified that a service used your data.
  }
event-told-by-sms = You were told by SMS which services used your data.
event-care-told-by-sms = You were told by SMS of what customer care did for you.
event-you-were-told-check = { $sp_known ->
    [yes] You were notified that { $sp } checked your account.
   *[no] You were notified that a service checked your account.
  }
event-expiry-reminder = { $sp_known ->
    [yes] Reminder: { $sp }'s access ends on { $date }.
   *[no] Reminder: a service's access ends on { $date }.
  }
event-reported = { $sp_known ->
    [yes] You reported { $sp } to the operator.
   *[no] You reported a service to the operator.
  }

## Your devices and your number

event-device-added = { $device ->
    [this] This device was added to your account.
   *[other] A new device was added to your account.
  }
event-device-waiting = { $device ->
    [this] This device asked to join your account and waits for approval on a device you already have.
   *[other] A new device asked to join your account and waits for your approval.
  }
event-device-approved = You approved adding a new device to your account.
event-device-refused = You refused to add a new device to your account.
event-device-renewed = { $device ->
    [this] This device's certificate was renewed.
   *[other] The certificate of one of your devices was renewed.
  }
event-device-revoked-by-you = { $device ->
    [this] You revoked this device.
   *[other] You revoked one of your devices.
  }
event-device-revoked-by-operator = { $device ->
    [this] The operator revoked this device.
   *[other] The operator revoked one of your devices.
  }
event-certificate-issued = A certificate for your number was issued after you proved it by SMS.
event-certificate-revoked = A certificate for your number was revoked.
event-sim-changed = Your SIM card changed on { $date }; proofs of your number are held for a while.
event-authenticators-changed = The operator changed how you are asked for consent.
event-number-unlocked = The operator unlocked the verification of your number.
event-sp-registered = { $sp_known ->
    [yes] The operator registered { $sp }.
   *[no] The operator registered a service.
  }
event-sp-blocked = { $sp_known ->
    [yes] The operator blocked { $sp }.
   *[no] The operator blocked a service.
  }
event-sp-unblocked = { $sp_known ->
    [yes] The operator unblocked { $sp }.
   *[no] The operator unblocked a service.
  }

## Any other entry: the kind of event, in words

event-other = { $sp_known ->
    [yes] An event of the kind “{ $kind }” was recorded for { $sp }.
   *[no] An event of the kind “{ $kind }” was recorded.
  }

## How you were asked or answered

via-app = in the app
via-ussd = by USSD
via-sms = by SMS
via-browser = in your browser
via-other = on your phone

## The kinds of event (the History screen's filter, the details of an entry)

kind-authorization_request = Requests from services
kind-prompt_sent = Questions sent to you
kind-answer = Your answers
kind-consent = Consents you gave
kind-token_issued = Access given to services
kind-refusal = Refused requests
kind-revocation = Access withdrawn
kind-resource_access = Data used by services
kind-notification = Notices
kind-sp_flagged = Services you reported
kind-admin = Your account and devices
kind-resource_refused = Data requests refused

## The details behind an entry

fact-details = Details
fact-kind = Kind
fact-seq = Entry
fact-hash = Hash
fact-authenticator = Authenticator
fact-detail = Recorded detail
fact-service = Service
fact-consent = Consent
fact-scope = Scope
fact-prompt = Text you saw
fact-endpoint = Endpoint
fact-reason = Reason
fact-device = Device
fact-certificate = Certificate
fact-token = Token
fact-flow = Flow
fact-channel = Channel
fact-expires = Ends
fact-attributes = Attributes

## Lists and dates

# "phone number, email and address": items joined with list-comma, the last with list-and.
list-comma = {", "}
list-and = { $head } and { $last }
date-day-month = { $day } { $month }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
