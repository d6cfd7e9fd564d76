// An in-memory backend with the Tauri commands' names, arguments and answers, for
// `npm run dev` in a plain browser and for the tests. Never loaded inside Tauri
// (api.ts imports it lazily only when window.__TAURI_INTERNALS__ is absent).
import { FluentBundle, FluentResource } from '@fluent/bundle';
import type { Backend } from './api';
import type { AuditEntry } from './bindings/AuditEntry';
import type { Card } from './bindings/Card';
import type { ConsentCard } from './bindings/ConsentCard';
import type { DeviceInfo } from './bindings/DeviceInfo';
import type { Enrollment } from './bindings/Enrollment';
import type { EnrollmentState } from './bindings/EnrollmentState';
import type { Grant } from './bindings/Grant';
import type { HistoryFilter } from './bindings/HistoryFilter';
import type { HistoryPage } from './bindings/HistoryPage';
import type { Receipt } from './bindings/Receipt';
import type { ReceiptClaims } from './bindings/ReceiptClaims';
import type { ReceiptPurpose } from './bindings/ReceiptPurpose';
import type { RenderRequest } from './bindings/RenderRequest';
import type { RenderResponse } from './bindings/RenderResponse';
import type { Settings } from './bindings/Settings';
import type { Step } from './bindings/Step';
import type { Description } from './bindings/Description';
import type { WireAttribute } from './bindings/WireAttribute';
import type { Withdrawn } from './bindings/Withdrawn';
import { type Locale, normalizeLocale, PROMPT_FTL, RTL_LOCALES } from './locales';

export type MockOptions = {
  /** Start as an enrolled device (skips onboarding). */
  enrolled?: boolean;
  /** Latency of every command, ms. */
  delayMs?: number;
  /** A new consent request arrives this long after start (null: never). */
  newRequestAfterMs?: number | null;
  /** history_verify reports a broken chain. */
  brokenHistory?: boolean;
  /** The gateway is unreachable: inbox fails, history is the local copy. */
  offline?: boolean;
  /** settings.locale at start. */
  locale?: string | null;
  /** The OS keyring is missing: every command fails as the core's does. */
  noKeyring?: boolean;
};

/** `?mock=enrolled,offline,broken,nokeyring&locale=ar` in the dev server's URL. */
export function optionsFromLocation(): MockOptions {
  const query = new URLSearchParams(location.search);
  const flags = query.get('mock')?.split(',') ?? [];
  return {
    locale: query.get('locale'),
    enrolled: flags.includes('enrolled'),
    offline: flags.includes('offline'),
    brokenHistory: flags.includes('broken'),
    noKeyring: flags.includes('nokeyring'),
    delayMs: 300,
    newRequestAfterMs: 15_000,
  };
}

export const MOCK_CODE = '123456';
export const MOCK_NUMBER = '+33 6 12 34 56 78';

const DAY = 86_400_000;
const SP = {
  shop: { id: 'demo-shop', name: 'Demo Shop' },
  agency: { id: 'ba-weiterbildung', name: 'Bundesagentur für Arbeitsvermittlung und Weiterbildung' },
  bank: { id: 'masraf-alamal', name: 'مصرف الأمل الرقمي' },
} as const;

type Pending = { id: string, client_name: string, attributes: WireAttribute[], created_ms: number };

class CommandFailure {
  constructor(readonly error: string, readonly message: string, readonly reason: string | null = null,
    readonly cause: string | null = null) {}
}

function fail(error: string, message: string, reason: string | null = null, cause: string | null = null): never {
  throw new CommandFailure(error, message, reason, cause);
}

function need<T>(args: Record<string, unknown> | undefined, key: string, cmd: string): T {
  if (!args || !(key in args) || args[key] === undefined) {
    fail('invalid_args', `invalid args \`${key}\` for command \`${cmd}\`: command ${cmd} missing required key ${key}`);
  }
  return args[key] as T;
}

// ---- a small stand-in for the prompt renderer (the real one is Rust) ----

const promptBundles = new Map<string, FluentBundle>();
function promptBundle(locale: string): FluentBundle {
  const l = normalizeLocale(locale);
  let b = promptBundles.get(l);
  if (!b) {
    b = new FluentBundle(l, { useIsolating: false });
    b.addResource(new FluentResource(PROMPT_FTL[l]));
    promptBundles.set(l, b);
  }
  return b;
}

function msg(b: FluentBundle, id: string, args?: Record<string, string>): string {
  const m = b.getMessage(id);
  return m?.value ? b.formatPattern(m.value, args ?? null, []) : id;
}

function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while ([...word].length > columns) {
      if (line) { lines.push(line); line = ''; }
      lines.push([...word].slice(0, columns).join(''));
      word = [...word].slice(columns).join('');
    }
    if (!line) line = word;
    else if ([...line].length + 1 + [...word].length <= columns) line += ' ' + word;
    else { lines.push(line); line = word; }
  }
  if (line) lines.push(line);
  return lines;
}

const GSM7 = /^[A-Za-z0-9 @£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà\n]*$/;

/** The consent card of a large screen, as the core builds it (assent_prompt::card): every
 * attribute with its value, how long it lasts, the binding message, the assurance; `text`
 * is its canonical text, which the decision is signed over. */
export function mockCard(p: { client_name: string, attributes: WireAttribute[], binding_message?: string | null }, locale: Locale): { card: Card, text: string } {
  const b = promptBundle(locale);
  const card: Card = {
    locale,
    direction: RTL_LOCALES.has(locale) ? 'rtl' : 'ltr',
    client_name: p.client_name,
    request: msg(b, 'card-request', { client: p.client_name }),
    attributes: p.attributes.map((a) => ({ name: a.name, label: msg(b, `attr-${a.name}`), value: a.value })),
    lifetime: msg(b, 'card-lifetime-until-revoked'),
    binding_message: p.binding_message ? msg(b, 'card-binding', { client: p.client_name, message: p.binding_message }) : null,
    assurance: msg(b, 'prompt-assurance'),
    ask: msg(b, 'prompt-ask'),
  };
  const text = [
    card.request,
    ...card.attributes.map((a) => a.value === null ? a.label : `${a.label} = ${a.value}`),
    ...[card.lifetime, card.binding_message, card.assurance].filter((x): x is string => x !== null),
    card.ask,
  ].join('\n');
  return { card, text };
}

export function mockRender(req: RenderRequest): RenderResponse {
  const b = promptBundle(req.locale);
  const screen = req.device.kind === 'phone' || req.device.kind === 'screen';
  const columns = req.device.columns ?? (req.device.kind === 'ussd' ? 30 : 40);
  if (columns < 12) fail('does_not_fit', `a prompt cannot fit a display ${columns} columns wide`);
  const sep = msg(b, 'list-separator');
  const attrs = req.attributes.map((a) => {
    const label = msg(b, `attr-${a.name}`);
    return a.value ? msg(b, 'prompt-name-value', { name: label, value: a.value }) : label;
  }).join(sep);
  const client = [...req.client_name].length > 16 ? [...req.client_name].slice(0, 15).join('') + '…' : req.client_name;
  const paragraphs = [msg(b, 'prompt-request', { client, attributes: attrs })];
  if (req.ask_assurance) paragraphs.push(msg(b, 'prompt-assurance'));
  const yes = msg(b, 'prompt-yes');
  const no = msg(b, 'prompt-no');
  paragraphs.push(`${msg(b, 'prompt-ask')} ${screen ? `${yes} / ${no}` : `1 ${yes} / 2 ${no}`}`);
  const lines = paragraphs.flatMap((p) => wrap(p, columns));
  const text = lines.join('\n');
  const gsm = GSM7.test(text);
  const units = [...text].length;
  return {
    text,
    flat: paragraphs.join(' '),
    lines,
    presentation: req.presentation === 'auto' ? 'names_values' : req.presentation,
    assurance: req.ask_assurance,
    encoding: gsm ? 'gsm7' : 'ucs2',
    bytes: gsm ? units : text.length * 2,
    packed_bytes: gsm ? Math.ceil((units * 7) / 8) : text.length * 2,
    units,
    segments: 1,
    client_name_truncated: client !== req.client_name,
  };
}

// ---- demo history ----

function fakeHash(input: string): string {
  let out = '';
  let h = 0x811c9dc5;
  for (let round = 0; round < 8; round++) {
    for (const ch of input + round) {
      h ^= ch.charCodeAt(0);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

// ---- consent receipts (the gateway signs them; here the signature is a stand-in) ----

const ISSUER = 'https://gateway.assent.test';
const MOCK_USER = 'user-marie';
/** A consent lives this long unless the catalog says otherwise (the gateway: its longest service lifetime). */
const LIFETIME_DAYS = 180;
const HOW_TO_WITHDRAW = 'In the Assent app: Access, choose the service, then Revoke (or stop sharing one item); '
  + 'or ask your operator. Withdrawing does not undo what was shared before.';

/** The mock's service catalog: which attributes each service releases, and for what. */
const CATALOG: Record<string, { purpose: string, attributes: string[] }> = {
  login: { purpose: 'dpv:IdentityVerification', attributes: ['given_name', 'family_name', 'name', 'email'] },
  orders: { purpose: 'dpv:ServiceProvision', attributes: ['address', 'email', 'phone_number'] },
  'job-search': { purpose: 'dpv:ServiceProvision', attributes: ['name', 'birthdate', 'address', 'email'] },
  'account-opening': { purpose: 'dpv:IdentityVerification', attributes: ['phone_number', 'national_identifier', 'name', 'birthdate'] },
};

/** The personal data category (DPV pd:) of an attribute, as the gateway's catalog words it. */
function dataCategory(attribute: string): string {
  switch (attribute) {
    case 'given_name': case 'family_name': case 'name': return 'pd:Name';
    case 'email': return 'pd:EmailAddress';
    case 'birthdate': return 'pd:BirthDate';
    case 'address': return 'pd:PhysicalAddress';
    case 'postal_code': return 'pd:PostalCode';
    case 'phone_number': case 'device_msisdn': return 'pd:TelephoneNumber';
    default: return 'pd:Identifying';
  }
}

/**
 * The purposes of a consent to `attributes` under `services`: each service with the
 * attributes it releases; an attribute no service of the catalog names goes with the first.
 */
function purposes(services: string[], attributes: string[]): ReceiptPurpose[] {
  const covered = new Set<string>();
  const out = services.map((service, i) => {
    const catalog = CATALOG[service] ?? { purpose: 'dpv:IdentityVerification', attributes: [] };
    const own = attributes.filter((a) => catalog.attributes.includes(a) || (i === 0 && !services.some((s) => CATALOG[s]?.attributes.includes(a))));
    own.forEach((a) => covered.add(a));
    return {
      service, purpose: catalog.purpose, legal_basis: 'dpv:Consent',
      data_categories: [...new Set(own.map(dataCategory))], attributes: own,
    };
  });
  return out.filter((p) => p.attributes.length > 0);
}

function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A compact JWS as the gateway's looks (ES256: 64 bytes of signature), signed by no one. */
function fakeJws(claims: ReceiptClaims): string {
  const text = (o: unknown) => base64url(new TextEncoder().encode(JSON.stringify(o)));
  const payload = text(claims);
  const sig = fakeHash(payload) + fakeHash(`${payload}|s`);
  const bytes = new Uint8Array(64);
  for (let i = 0; i < 64; i++) bytes[i] = parseInt(sig.slice(i * 2, i * 2 + 2), 16);
  return `${text({ typ: 'assent-receipt+jwt', alg: 'ES256', kid: 'gw-2025-1' })}.${payload}.${base64url(bytes)}`;
}

/** Sample values for the texts the mock's consents were given to. */
const SAMPLE_VALUES: Record<string, string> = {
  given_name: 'Marie', family_name: 'Curie', name: 'Marie Curie', email: 'marie@example.org',
  birthdate: '1967-11-07', address: 'Rue de la Paix 1, Paris', phone_number: '+33612345678',
  national_identifier: '2671175123456',
};

type Recorded = Omit<AuditEntry, 'seq' | 'prev_hash' | 'user_prev_hash' | 'hash' | 'user'>;

const SP_NAMES: Record<string, string> = Object.fromEntries(Object.values(SP).map((sp) => [sp.id, sp.name]));

/** What the core's describer says of an entry (crates/core/src/describe.rs), for the shapes
 *  the mock records: the message, the SP's name and the message's own arguments. */
function said(message: string, sp: string | null, args: Description['args'] = {}, facts: Description['facts'] = []): Description {
  const name = sp ? SP_NAMES[sp] : undefined;
  return {
    message,
    args: { sp: { type: 'text', value: name ?? '' }, sp_known: { type: 'choice', value: name ? 'yes' : 'no' }, ...args },
    facts: [...(sp ? [{ label: 'fact-service', value: sp }] : []), ...facts],
    specific: true,
  };
}

const via = (id: string): Description['args'] => ({ via: { type: 'message', id } });
const json = (detail: unknown) => JSON.stringify(detail);

/** An entry as the gateway records it, with its description. */
type Demo = [Recorded, Description];

function demoHistory(now: number): Demo[] {
  const start = new Date(now - 7 * DAY);
  start.setHours(9, 0, 0, 0);
  const t0 = start.getTime();
  const out: Demo[] = [];
  const at = (day: number, hour: number, min = 0) => t0 + day * DAY + (hour - 9) * 3_600_000 + min * 60_000;
  const consentFlow = (day: number, hour: number, sp: { id: string }, scope: string, approve = true) => {
    const prompt = `${SP_NAMES[sp.id]} asks for your data. Share?`;
    out.push([{ at_ms: at(day, hour), kind: 'authorization_request', sp: sp.id, authenticator: null, detail: json({ flow: 'ciba', mode: 'poll', scope, binding_message: null }) },
      said('event-authorization-request', sp.id, {}, [{ label: 'fact-scope', value: scope }, { label: 'fact-flow', value: 'ciba' }])]);
    out.push([{ at_ms: at(day, hour, 1), kind: 'prompt_sent', sp: sp.id, authenticator: 'app', detail: json({ prompt, encoding: 'utf8', units: prompt.length }) },
      said('event-prompt-sent', sp.id, via('via-app'), [{ label: 'fact-prompt', value: prompt }])]);
    out.push([{ at_ms: at(day, hour, 2), kind: 'answer', sp: sp.id, authenticator: 'app', detail: json({ answer: approve ? 'yes' : 'no', purpose: 'consent' }) },
      said(approve ? 'event-answer-yes' : 'event-answer-no', sp.id, via('via-app'))]);
    if (approve) {
      const consent = `c-${sp.id}-${day}`;
      out.push([{ at_ms: at(day, hour, 2), kind: 'consent', sp: sp.id, authenticator: 'app', detail: json({ consent, kind: 'long_lived', scope, prompt }) },
        said('event-consent-long-lived', sp.id, {}, [{ label: 'fact-consent', value: consent }, { label: 'fact-scope', value: scope }, { label: 'fact-prompt', value: prompt }])]);
      out.push([{ at_ms: at(day, hour, 3), kind: 'token_issued', sp: sp.id, authenticator: 'app', detail: json({ grant: 'ciba', scope, policy: 'long_lived', expires_in: 3600 }) },
        said('event-token-issued', sp.id, {}, [{ label: 'fact-scope', value: scope }])]);
    }
  };
  consentFlow(0, 9, SP.shop, 'openid mc_vm_share');
  consentFlow(0, 11, SP.agency, 'openid mc_identity_signup');
  consentFlow(1, 10, SP.bank, 'openid mc_kyc_match');
  consentFlow(2, 15, SP.shop, 'openid mc_vm_share', false);
  const expires = new Date(now + 20 * DAY);
  out.push([{ at_ms: at(3, 8), kind: 'notification', sp: SP.agency.id, authenticator: null, detail: json({ reminder: 'consent_expiry', consent: `c-${SP.agency.id}-0`, expires_at: expires.toISOString(), channel: 'app' }) },
    said('event-expiry-reminder', SP.agency.id, { date: { type: 'date', ms: expires.getTime() } })]);
  out.push([{ at_ms: at(4, 12), kind: 'admin', sp: null, authenticator: 'app', detail: json({ action: 'device_registered', device: 'd-laptop', certificate: '01ab', approval: 'approved' }) },
    said('event-device-added', null, { device: { type: 'choice', value: 'other' } }, [{ label: 'fact-device', value: 'd-laptop' }])]);
  const shared: Record<string, string[]> = {
    [SP.shop.id]: ['given_name', 'email'], [SP.agency.id]: ['family_name', 'birthdate'], [SP.bank.id]: ['phone_number'],
  };
  const accesses: [typeof SP[keyof typeof SP], number[]][] = [
    [SP.shop, [2, 1, 0, 4, 2, 5, 1, 2]],
    [SP.agency, [1, 2, 1, 0, 1, 0, 2, 0]],
    [SP.bank, [0, 1, 0, 2, 0, 1, 0, 1]],
  ];
  for (const [sp, perDay] of accesses) {
    perDay.forEach((n, day) => {
      for (let i = 0; i < n; i++) {
        const t = at(day, 10 + ((i * 3 + day) % 8), (i * 17) % 60);
        const attributes = shared[sp.id];
        if (t < now) {
          out.push([{ at_ms: t, kind: 'resource_access', sp: sp.id, authenticator: null, detail: json({ endpoint: 'premiuminfo', services: ['mc_vm_share'], attributes, generic_token: false }) },
            said('event-resource-read', sp.id, { attributes: { type: 'attributes', names: attributes } }, [{ label: 'fact-endpoint', value: 'premiuminfo' }])]);
        }
      }
    });
  }
  return out;
}

// ---- the backend ----

export class MockBackend implements Backend {
  settings: Settings = { gateway_url: 'https://gateway.assent.test', ca_file: null, locale: null, display: 'phone' };
  enrollment: EnrollmentState | null = null;
  pending: Pending[] = [];
  grants: Grant[] = [];
  devices: DeviceInfo[] = [];
  entries: AuditEntry[] = [];
  /** The signed consent receipts, oldest first (the gateway's order). */
  receipts: Receipt[] = [];
  /** Each entry's description, by seq. */
  descriptions = new Map<number, Description>();
  tries = 0;
  private nextId = 1;
  private listeners = new Map<string, Set<(payload: unknown) => void>>();
  private waiters = new Set<() => void>();
  private timers: ReturnType<typeof setTimeout>[] = [];
  private readonly opts: Required<MockOptions>;

  constructor(opts: MockOptions = {}) {
    this.opts = {
      enrolled: false, delayMs: 0, newRequestAfterMs: null, brokenHistory: false, offline: false, locale: null, noKeyring: false,
      ...opts,
    };
    this.settings.locale = this.opts.locale;
    const now = Date.now();
    if (this.opts.enrolled) this.enrollment = this.registered(MOCK_NUMBER);
    for (const [e, d] of demoHistory(now).sort((a, b) => a[0].at_ms - b[0].at_ms)) this.record(e, d);
    this.grants = [
      this.grant(SP.shop, ['login', 'orders'], ['given_name', 'email'], now - 7 * DAY, this.lastAccess(SP.shop.id)),
      this.grant(SP.agency, ['job-search'], ['name', 'birthdate', 'address'], now - 7 * DAY, this.lastAccess(SP.agency.id)),
      // Without a lifetime in the catalog: until revoked.
      this.grant(SP.bank, ['account-opening'], ['phone_number', 'national_identifier'], now - 6 * DAY, null, null),
    ];
    for (const g of this.grants) this.receipt(g, { authenticator: 'app' }, Date.parse(g.granted_at));
    const iso = (ms: number) => new Date(ms).toISOString();
    this.devices = [
      { id: 'd-old-phone', name: 'Old phone', status: 'revoked', registered_at: iso(now - 60 * DAY), expires_at: iso(now - 30 * DAY), revoked_at: iso(now - 40 * DAY), this_device: false },
      { id: 'd-laptop', name: 'Work laptop', status: 'active', registered_at: iso(now - 10 * DAY), expires_at: iso(now + 20 * DAY), revoked_at: null, this_device: false },
      { id: 'd-this', name: 'Marie’s phone', status: 'active', registered_at: iso(now - 2 * DAY), expires_at: iso(now + 28 * DAY), revoked_at: null, this_device: true },
    ];
    this.addRequest(SP.shop.name, [
      { name: 'given_name', value: 'Marie', group: 'name' },
      { name: 'email', value: 'marie@example.org', group: 'contact' },
    ], now - 120_000);
    this.addRequest(SP.bank.name, [{ name: 'phone_number', value: '+33612345678', group: 'phone' }], now - 30_000);
    if (this.opts.newRequestAfterMs !== null) {
      this.timers.push(setTimeout(() => this.addRequest(SP.agency.name, [
        { name: 'family_name', value: 'Curie', group: 'name' },
        { name: 'birthdate', value: '1967-11-07', group: 'birthdate' },
      ]), this.opts.newRequestAfterMs));
    }
  }

  /** Stops the timers (tests). */
  dispose(): void {
    this.timers.forEach(clearTimeout);
    this.waiters.forEach((w) => w());
  }

  addRequest(clientName: string, attributes: WireAttribute[], created = Date.now()): string {
    const id = `req-${this.nextId++}`;
    this.pending.push({ id, client_name: clientName, attributes, created_ms: created });
    this.waiters.forEach((w) => w());
    return id;
  }

  emit(event: string, payload: unknown): void {
    this.listeners.get(event)?.forEach((l) => l(payload));
  }

  async listen(event: string, handler: (payload: unknown) => void): Promise<() => void> {
    const set = this.listeners.get(event) ?? new Set();
    set.add(handler);
    this.listeners.set(event, set);
    return () => set.delete(handler);
  }

  async invoke(cmd: string, args?: Record<string, unknown>): Promise<unknown> {
    await this.pause();
    try {
      return await this.dispatch(cmd, args);
    } catch (e) {
      // Like Tauri: the command's error value, as is.
      if (e instanceof CommandFailure) throw { error: e.error, message: e.message, reason: e.reason, cause: e.cause };
      throw e;
    }
  }

  private pause(ms = this.opts.delayMs): Promise<void> {
    return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
  }

  private async dispatch(cmd: string, args?: Record<string, unknown>): Promise<unknown> {
    if (this.opts.noKeyring && cmd !== 'render_prompt') {
      fail('keyring', 'This device\'s keys are kept in the system keyring, and no keyring could be reached.', 'keyring_unavailable',
        'no keyring is available to keep this device\'s keys (Platform failure: zbus error: Failed to connect to address unix:path=/run/user/0/bus)');
    }
    switch (cmd) {
      case 'settings_get': return { ...this.settings };
      case 'settings_set': return this.setSettings(need<Settings>(args, 'settings', cmd));
      case 'enrollment_status': return this.enrollment && { ...this.enrollment };
      case 'enroll_start': return this.enrollStart(need<string>(args, 'number', cmd));
      case 'enroll_code': return this.enrollCode(need<string>(args, 'text', cmd));
      case 'enroll_renew': return this.enrollRenew();
      case 'enroll_from_simulator': return this.enrollCode(`Your Assent code: ${MOCK_CODE}\n\n@gateway.assent.test #${MOCK_CODE}`);
      case 'inbox': return this.inbox(need<number>(args, 'waitSeconds', cmd));
      case 'decide': return this.decide(need<string>(args, 'id', cmd), need<boolean>(args, 'approve', cmd));
      case 'grants': this.enrolled(); return this.grants.map((g) => ({ ...g, attributes: [...g.attributes], withdrawn: [...g.withdrawn] }));
      case 'revoke': return this.revoke(need<string>(args, 'grantId', cmd));
      case 'withdraw': return this.withdraw(need<string>(args, 'grantId', cmd), need<string[]>(args, 'attributes', cmd));
      case 'receipts': this.enrolled(); return this.receipts.map((r) => structuredClone(r));
      case 'devices': this.enrolled(); return this.devices.map((d) => ({ ...d }));
      case 'revoke_device': return this.revokeDevice(need<string>(args, 'deviceId', cmd));
      case 'flag': return this.flag(need<string>(args, 'clientId', cmd), need<string>(args, 'reason', cmd));
      case 'history': return this.history(need<HistoryFilter>(args, 'filter', cmd));
      case 'history_verify': return this.verify();
      case 'history_export': return `/home/marie/Downloads/assent-history-${new Date().toISOString().slice(0, 10)}.json`;
      case 'render_prompt': return mockRender(need<RenderRequest>(args, 'request', cmd));
      default: return fail('unknown_command', `command ${cmd} not found`);
    }
  }

  // -- settings --
  private setSettings(s: Settings): Settings {
    if (s.gateway_url !== null && !/^https?:\/\/[^\s/]+/.test(s.gateway_url)) {
      fail('usage', `"${s.gateway_url}" is not an http(s) URL`);
    }
    if (s.locale !== null && normalizeLocale(s.locale) !== s.locale) fail('usage', `no language "${s.locale}"`);
    if (s.display !== 'phone' && s.display !== 'desktop') fail('usage', `no display profile "${String(s.display)}"`);
    if (s.ca_file !== null && !s.ca_file.endsWith('.pem')) fail('settings', `cannot read the CA file ${s.ca_file}: not a PEM file`);
    this.settings = { ...s };
    return { ...this.settings };
  }

  // -- enrollment --
  private registered(number: string): EnrollmentState {
    return {
      number, step: 'registered', account_url: 'https://gateway.assent.test/acme/acct/1', order: null,
      code_sent_ms: null, device_id: 'dev-7f3a9c21', certificate_expires: new Date(Date.now() + 30 * DAY).toISOString(),
      renew_from: new Date(Date.now() + 20 * DAY).toISOString(), renewing: false, pending_approval: false,
    };
  }

  private enrolledAnswer(): Enrollment {
    const e = this.enrollment!;
    return { status: 'enrolled', number: e.number, device_id: e.device_id!, certificate_expires: e.certificate_expires!, renew_from: e.renew_from ?? '', pending_approval: e.pending_approval };
  }

  private async step(step: Step): Promise<void> {
    await this.pause();
    this.enrollment = { ...this.enrollment!, step };
    this.emit('enroll-progress', step);
  }

  private async enrollStart(number: string): Promise<Enrollment> {
    const compact = number.replace(/[\s().-]/g, '');
    if (!/^\+[1-9]\d{6,14}$/.test(compact)) {
      fail('usage', `"${number}" is not a phone number in international format (+ and the country code)`);
    }
    if (this.enrollment && this.enrollment.number.replace(/\s/g, '') !== compact) {
      fail('enrolled_elsewhere', `this profile is enrolled for ${this.enrollment.number}`);
    }
    if (this.enrollment?.step === 'registered') return this.enrolledAnswer();
    if (this.enrollment?.step !== 'code_sent') {
      this.enrollment = {
        number, step: 'account', account_url: null, order: null, code_sent_ms: null, device_id: null, certificate_expires: null,
        renew_from: null, renewing: false, pending_approval: false,
      };
      this.emit('enroll-progress', 'account');
      await this.step('ordered');
      await this.step('code_sent');
      this.enrollment = { ...this.enrollment!, code_sent_ms: Date.now() };
      this.tries = 0;
    }
    return { status: 'awaiting_code', number: this.enrollment.number, sent_ms: this.enrollment.code_sent_ms! };
  }

  /** Renewal: the same device proves its number again (the code form takes the SMS). */
  private async enrollRenew(): Promise<Enrollment> {
    if (this.enrollment?.step !== 'registered' && !this.enrollment?.renewing) fail('not_enrolled', 'this device is not enrolled');
    this.enrollment = { ...this.enrollment!, step: 'code_sent', renewing: true, code_sent_ms: Date.now() };
    this.tries = 0;
    return { status: 'awaiting_code', number: this.enrollment.number, sent_ms: this.enrollment.code_sent_ms! };
  }

  private async enrollCode(text: string): Promise<Enrollment> {
    if (this.enrollment?.step === 'registered') return this.enrolledAnswer();
    if (this.enrollment?.step !== 'code_sent') fail('enrollment', 'no code is expected: start with your number');
    const codes = [...new Set(text.match(/\b\d{6}\b/g) ?? [])];
    if (codes.length === 0) fail('code', 'the text has no code in it');
    if (codes.length > 1) fail('code', `the text has two candidate codes (${codes.join(', ')}); give only the code`);
    if (this.tries >= 3) fail('number_verification', 'too many wrong codes: the number is locked for 15 minutes');
    if (codes[0] !== MOCK_CODE) {
      this.tries++;
      fail('number_verification', this.tries >= 3
        ? 'the code is wrong; too many wrong codes: the number is locked for 15 minutes'
        : `the code is wrong; ${3 - this.tries} tries left`);
    }
    await this.step('validated');
    await this.step('certified');
    this.enrollment = { ...this.registered(this.enrollment!.number), step: 'certified' };
    await this.step('registered');
    return this.enrolledAnswer();
  }

  private enrolled(): void {
    if (this.enrollment?.step !== 'registered') fail('not_enrolled', 'this device is not enrolled yet');
  }

  // -- consent --
  private card(p: Pending): ConsentCard {
    const locale = normalizeLocale(this.settings.locale);
    if (this.settings.display !== 'phone') {
      // A large screen shows the whole card and signs its canonical text.
      const { card, text } = mockCard(p, locale);
      return {
        id: p.id, client_name: p.client_name, prompt: text, lines: text.split('\n'), locale,
        as_sent: false, too_long: false, created_ms: p.created_ms, card,
      };
    }
    const device = this.settings.display === 'phone'
      ? { kind: 'phone' as const, columns: 32, rows: 8, max_bytes: 220, encodings: null }
      : { kind: 'screen' as const, columns: 60, rows: 12, max_bytes: null, encodings: null };
    const r = mockRender({
      client_name: p.client_name, locale, attributes: p.attributes, device, ask_assurance: true, presentation: 'auto',
    });
    // As the core does: what does not fit this screen in this language is shown as the
    // gateway sent it (here: the English rendering).
    if ((r.lines.length > device.rows || r.bytes > (device.max_bytes ?? Infinity)) && locale !== 'en') {
      const sent = mockRender({
        client_name: p.client_name, locale: 'en', attributes: p.attributes, device, ask_assurance: true, presentation: 'auto',
      });
      // Over the phone's 220 bytes even as sent (MC_ATTR_13): not shown, only denied.
      const tooLong = sent.bytes > (device.max_bytes ?? Infinity);
      return {
        id: p.id, client_name: p.client_name, prompt: sent.text, lines: tooLong ? [] : sent.lines, locale: 'en',
        as_sent: true, too_long: tooLong, created_ms: p.created_ms, card: null,
      };
    }
    return { id: p.id, client_name: p.client_name, prompt: r.text, lines: r.lines, locale, as_sent: false, too_long: false, created_ms: p.created_ms, card: null };
  }

  private async inbox(waitSeconds: number): Promise<ConsentCard[]> {
    this.enrolled();
    if (this.opts.offline) {
      fail('gateway', 'The gateway cannot be reached. Check this device\'s internet connection and the gateway address in the settings, then try again.',
        'gateway_unreachable', 'cannot reach the gateway: could not connect');
    }
    if (this.pending.length === 0 && waitSeconds > 0) {
      await new Promise<void>((resolve) => {
        const done = () => { clearTimeout(timer); this.waiters.delete(done); resolve(); };
        const timer = setTimeout(done, waitSeconds * 1000);
        this.waiters.add(done);
      });
    }
    return this.pending.map((p) => this.card(p));
  }

  private decide(id: string, approve: boolean): boolean {
    this.enrolled();
    const i = this.pending.findIndex((p) => p.id === id);
    if (i < 0) return false;
    const [p] = this.pending.splice(i, 1);
    const sp = Object.values(SP).find((x) => x.name === p.client_name) ?? { id: p.client_name, name: p.client_name };
    const attrs = p.attributes.map((a) => a.name);
    this.record({ at_ms: Date.now(), kind: 'answer', sp: sp.id, authenticator: 'app', detail: json({ answer: approve ? 'yes' : 'no', purpose: 'consent' }) },
      said(approve ? 'event-answer-yes' : 'event-answer-no', sp.id, via('via-app')));
    if (approve) {
      this.record({ at_ms: Date.now(), kind: 'consent', sp: sp.id, authenticator: 'app', detail: json({ consent: `c-${id}`, kind: 'long_lived', scope: 'openid', prompt: attrs.join(', ') }) },
        said('event-consent-long-lived', sp.id, {}, [{ label: 'fact-consent', value: `c-${id}` }]));
    }
    if (approve) {
      const shown = this.card(p).prompt;
      let g = this.grants.find((x) => x.client_id === sp.id);
      if (g) {
        g.attributes = [...new Set([...g.attributes, ...attrs])];
        g.withdrawn = g.withdrawn.filter((a) => !attrs.includes(a));
        g.prompt = shown;
      } else {
        g = this.grant(sp, ['login'], attrs, Date.now(), null);
        g.prompt = shown;
        this.grants.push(g);
      }
      this.receipt(g, { authenticator: 'app' }, Date.now());
    }
    return true;
  }

  // -- access --
  private grant(sp: { id: string, name: string }, services: string[], attributes: string[], since: number,
    last: number | null, lifetimeDays: number | null = LIFETIME_DAYS): Grant {
    // The text the consent was given to, as the phone showed it.
    const prompt = mockRender({
      client_name: sp.name, locale: 'en', ask_assurance: true, presentation: 'auto',
      attributes: attributes.map((name) => ({ name, value: SAMPLE_VALUES[name] ?? null, group: name })),
      device: { kind: 'phone', columns: 32, rows: 8, max_bytes: 220, encodings: null },
    }).text;
    return {
      id: `grant-${sp.id}`, client_id: sp.id, client_name: sp.name, services, attributes, withdrawn: [],
      granted_at: new Date(since).toISOString(), last_used: last === null ? null : new Date(last).toISOString(),
      expires_at: lifetimeDays === null ? null : new Date(since + lifetimeDays * DAY).toISOString(),
      prompt,
    };
  }

  /**
   * Signs (as the mock can) and keeps a receipt: a consent given to the grant's text, or a
   * withdrawal of `withdrawn` leaving `remaining` (nothing left: the grant was revoked).
   */
  private receipt(g: Grant, event: { authenticator: string } | { withdrawn: string[], remaining: string[] }, atMs: number): Receipt {
    const id = `rc-${fakeHash(`${g.id}|${atMs}|${this.receipts.length}`).slice(0, 20)}`;
    const at = new Date(atMs).toISOString();
    const given = 'authenticator' in event;
    const claims: ReceiptClaims = {
      iss: ISSUER, jti: id,
      // The JSON carries a number (ts-rs types an i64 as bigint).
      iat: Math.floor(atMs / 1000) as unknown as bigint,
      schema: 'ISO/IEC TS 27560:2023', record_id: g.id, event: given ? 'given' : 'withdrawn',
      pii_principal: MOCK_USER, at,
      controller: { id: g.client_id, name: g.client_name },
      purposes: purposes(g.services, given ? g.attributes : event.withdrawn),
      method: given ? { authenticator: event.authenticator, prompt_sha256: fakeHash(g.prompt) } : null,
      duration: { kind: 'long_lived', expires_at: g.expires_at },
      withdrawal: HOW_TO_WITHDRAW,
    };
    if (!given) claims.remaining = [...event.remaining];
    const r: Receipt = {
      id, sp: g.client_name, client_id: g.client_id, consent_id: g.id, kind: given ? 'consent' : 'withdrawal', at,
      jws: fakeJws(claims), prompt: given ? g.prompt : null, verified: true, problem: null, claims,
    };
    this.receipts.push(r);
    return r;
  }

  private lastAccess(spId: string): number | null {
    const hits = this.entries.filter((e) => e.sp === spId && e.kind === 'resource_access');
    return hits.length ? hits[hits.length - 1].at_ms : null;
  }

  private revoke(grantId: string): null {
    this.enrolled();
    const g = this.grants.find((x) => x.id === grantId);
    if (!g) fail('no_such_grant', `there is no grant ${grantId}`);
    this.grants = this.grants.filter((x) => x !== g);
    const now = Date.now();
    this.receipt(g, { withdrawn: [...g.attributes], remaining: [] }, now);
    this.record({ at_ms: now, kind: 'revocation', sp: g.client_id, authenticator: 'app', detail: json({ by: 'user', consent: g.id, device: 'd-this' }) },
      said('event-revoked-here', g.client_id, {}, [{ label: 'fact-consent', value: g.id }]));
    return null;
  }

  /**
   * Stops sharing some attributes of a grant, as the gateway does: refused for an attribute
   * the grant does not give and for everything it still gives (that is a revocation), and
   * then nothing changes; else audited (a revocation naming the attributes) and receipted.
   */
  private withdraw(grantId: string, attributes: string[]): Withdrawn {
    this.enrolled();
    const g = this.grants.find((x) => x.id === grantId);
    if (!g) fail('no_such_grant', `there is no grant ${grantId}`);
    if (attributes.length === 0) fail('invalid_input', 'name at least one attribute to stop sharing');
    const unknown = attributes.find((a) => !g.attributes.includes(a));
    if (unknown !== undefined) fail('invalid_input', `this grant does not give "${unknown}" (it gives: ${g.attributes.join(', ')})`);
    const remaining = g.attributes.filter((a) => !attributes.includes(a));
    if (remaining.length === 0) fail('invalid_input', 'that is everything this grant gives: revoke the grant instead');
    const withdrawn = [...new Set([...attributes])];
    g.attributes = remaining;
    g.withdrawn = [...new Set([...g.withdrawn, ...withdrawn])];
    const now = Date.now();
    const receipt = this.receipt(g, { withdrawn, remaining }, now);
    this.record({
      at_ms: now, kind: 'revocation', sp: g.client_id, authenticator: 'app',
      detail: json({ by: 'user', consent: g.id, device: 'd-this', attributes: withdrawn }),
    }, said('event-stopped-sharing', g.client_id, { attributes: { type: 'attributes', names: withdrawn } },
      [{ label: 'fact-consent', value: g.id }]));
    return { id: g.id, attributes: [...remaining], withdrawn: [...g.withdrawn], receipt: receipt.id };
  }

  private revokeDevice(deviceId: string): null {
    this.enrolled();
    const d = this.devices.find((x) => x.id === deviceId && x.status !== 'revoked');
    if (!d) fail('no_such_device', `no device ${deviceId} of yours, or it is revoked already`);
    d.status = 'revoked';
    d.revoked_at = new Date().toISOString();
    this.record({ at_ms: Date.now(), kind: 'revocation', sp: null, authenticator: 'app', detail: json({ action: 'device_revoked', device: d.id, by: { user: { device: 'd-this' } } }) },
      said('event-device-revoked-by-you', null, { device: { type: 'choice', value: d.this_device ? 'this' : 'other' } }));
    return null;
  }

  private flag(clientId: string, reason: string): null {
    this.enrolled();
    if (!reason.trim()) fail('usage', 'a report needs a reason');
    this.record({ at_ms: Date.now(), kind: 'sp_flagged', sp: clientId, authenticator: 'app', detail: json({ flag: `fl-${this.entries.length}`, reason }) },
      said('event-reported', clientId, {}, [{ label: 'fact-reason', value: reason }]));
    return null;
  }

  // -- history --
  private record(e: Recorded, description: Description): void {
    const prev = this.entries[this.entries.length - 1];
    const prevHash = prev?.hash ?? '0'.repeat(64);
    const seq = this.entries.length + 1;
    const hash = fakeHash(`${seq}|${e.at_ms}|${e.kind}|${e.sp}|${e.detail}|${prevHash}`);
    this.entries.push({ ...e, seq, user: 'user-marie', prev_hash: prevHash, user_prev_hash: prev ? prevHash : null, hash });
    this.descriptions.set(seq, description);
  }

  private history(f: HistoryFilter): HistoryPage {
    let list = this.entries.filter((e) =>
      (f.sp === null || e.sp === f.sp) && (f.kind === null || e.kind === f.kind) && (f.since_ms === null || e.at_ms >= f.since_ms));
    list = list.slice().reverse();
    if (f.limit !== null) list = list.slice(0, f.limit);
    return {
      entries: list.map((e) => ({ ...e })),
      synced: !this.opts.offline,
      descriptions: list.map((e) => this.descriptions.get(e.seq)!),
    };
  }

  private verify() {
    if (this.opts.brokenHistory) {
      const n = Math.min(12, this.entries.length);
      return { verified: false, details: null, message: `entry ${n} does not link to entry ${n - 1} (prev_hash differs)` };
    }
    const head = this.entries[this.entries.length - 1]?.hash ?? '';
    return { verified: true, details: { entries: this.entries.length, head, synced_ms: Date.now(), checkpoint_seq: this.entries.length + 2 }, message: null };
  }
}

export function createMockBackend(opts: MockOptions = {}): MockBackend {
  return new MockBackend(opts);
}
