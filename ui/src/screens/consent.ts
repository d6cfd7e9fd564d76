// 2. Consent: the pending requests. A loop long-polls `inbox` while the app runs, so
// new requests appear without a refresh; approve/deny removes the card.
import { showError } from '../errors';
import * as api from '../api';
import type { Card } from '../bindings/Card';
import type { ConsentCard } from '../bindings/ConsentCard';
import { byId, h, setStatus, show, sleep } from '../dom';
import { formatDateTime, onLocaleChange, t } from '../i18n';
import { normalizeLocale, RTL_LOCALES } from '../locales';

export const INBOX_WAIT_SECONDS = 20;
export const RETRY_MS = 3000;
/** The shortest gap between two polls that bring nothing new (inbox answers at once while requests are pending). */
export const MIN_POLL_GAP_MS = 3000;

export type Consent = {
  start(): void;
  stop(): void;
  /** Drops the cards and asks again (after a settings change). */
  reload(): void;
  dispose(): void;
  /** Cards on screen (tests, the nav badge). */
  count(): number;
};

/** Whether the user is looking elsewhere: the page hidden or its window without the focus. */
export function inBackground(): boolean {
  return document.hidden || !document.hasFocus();
}

export function initConsent(onCount: (n: number) => void): Consent {
  const list = byId('consent-list');
  const empty = byId('consent-empty');
  const status = byId('consent-status');
  const offline = byId('consent-offline');
  const cards = new Map<string, ConsentCard>();
  /** Decided here; a poll that was already under way may still list them. */
  const decided = new Set<string>();
  let running = false;
  let generation = 0;

  const nameOf = (c: ConsentCard) => c.client_name ?? t('consent-unknown-sp');

  /** A large screen's card: laid out as a form, every item the text the decision is
   * signed over (`c.prompt` is its canonical text), nothing added to it but layout. */
  function richCard(card: Card, lang: string): HTMLElement {
    const item = (cls: string, text: string | null) => text === null ? null : h('p', { class: cls }, h('bdi', {}, text));
    return h('div', { class: 'consent-rich', lang, dir: card.direction },
      item('rich-request', card.request),
      h('ul', { class: 'rich-attributes' }, ...card.attributes.map((a) => h('li', { 'data-name': a.name },
        h('span', { class: 'rich-label' }, a.label),
        a.value === null ? null : h('span', { class: 'rich-value' }, h('bdi', {}, a.value))))),
      item('rich-lifetime', card.lifetime),
      item('rich-binding', card.binding_message),
      item('rich-assurance', card.assurance),
      item('rich-ask', card.ask));
  }

  function renderCard(c: ConsentCard): HTMLElement {
    const titleId = `consent-title-${c.id}`;
    const lang = normalizeLocale(c.locale);
    const approve = h('button', { class: 'btn primary approve', type: 'button', 'aria-describedby': titleId }, t('consent-approve'));
    const deny = h('button', { class: 'btn deny', type: 'button', 'aria-describedby': titleId }, t('consent-deny'));
    approve.addEventListener('click', () => void decide(c, true));
    deny.addEventListener('click', () => void decide(c, false));
    return h('article', { class: 'card consent-card', 'data-id': c.id, 'aria-labelledby': titleId },
      h('h2', { class: 'card-title', id: titleId }, h('strong', {}, h('bdi', {}, nameOf(c)))),
      h('p', { class: 'meta' }, t('consent-received', { time: formatDateTime(c.created_ms) })),
      // The lines as the device renders (and signs) them: one element per line, kept as is;
      // on a large screen, the whole card.
      c.card
        ? richCard(c.card, lang)
        : h('div', { class: 'prompt-lines', lang, dir: RTL_LOCALES.has(lang) ? 'rtl' : 'ltr' },
          ...c.lines.map((line) => h('span', { class: 'line' }, line))),
      // MC_ATTR_13: a request too long for this phone is not shown, and only denied here.
      c.too_long
        ? h('p', { class: 'meta too-long' }, t('consent-too-long'))
        : c.as_sent && h('p', { class: 'meta as-sent' }, t('consent-as-sent')),
      c.too_long ? h('div', { class: 'actions' }, deny) : h('div', { class: 'actions' }, approve, deny));
  }

  function render(): void {
    // Keep existing card elements (and the focus inside them); add and remove the rest.
    const existing = new Map([...list.querySelectorAll<HTMLElement>('.consent-card')].map((el) => [el.dataset.id!, el]));
    for (const [id, el] of existing) if (!cards.has(id)) el.remove();
    let prev: Element | null = null;
    for (const c of cards.values()) {
      const el = existing.get(c.id) ?? renderCard(c);
      if (prev ? prev.nextElementSibling !== el : list.firstElementChild !== el) {
        if (prev) prev.after(el);
        else list.prepend(el);
      }
      prev = el;
    }
    show(empty, cards.size === 0);
    onCount(cards.size);
  }

  function rerenderAll(): void {
    list.replaceChildren();
    render();
  }

  /** A desktop notification for a request that arrives while the window is in the
   * background (hidden, minimised, or behind another window). In the app, `Notification` is
   * the notification plugin's (the OS's notifications); in a browser, the browser's. */
  function notify(c: ConsentCard): void {
    try {
      if (!inBackground() || typeof Notification === 'undefined') return;
      if (Notification.permission === 'granted') {
        new Notification(t('notify-title', { client: nameOf(c) }), { body: c.lines.join('\n'), tag: `consent-${c.id}` });
      } else if (Notification.permission === 'default') {
        void Notification.requestPermission().catch(() => undefined);
      }
    } catch { /* notifications are a bonus */ }
  }

  /** Merges one inbox answer; returns whether something new came. */
  function merge(incoming: ConsentCard[]): boolean {
    const fresh = incoming.filter((c) => !decided.has(c.id));
    const ids = new Set(fresh.map((c) => c.id));
    let changed = false;
    for (const id of [...cards.keys()]) {
      if (!ids.has(id)) { cards.delete(id); changed = true; }
    }
    for (const c of fresh) {
      if (!cards.has(c.id)) {
        cards.set(c.id, c);
        changed = true;
        // Every request new to this window: also one that a first long poll brings, or one
        // already pending when the app starts in the background.
        notify(c);
      }
    }
    if (changed) render();
    return changed;
  }

  async function loop(gen: number): Promise<void> {
    while (running && gen === generation) {
      const started = Date.now();
      try {
        const incoming = await api.inbox(INBOX_WAIT_SECONDS);
        if (!running || gen !== generation) return;
        setStatus(offline, '');
        const changed = merge(incoming);
        const gap = MIN_POLL_GAP_MS - (Date.now() - started);
        if (!changed && gap > 0) await sleep(gap);
      } catch (e) {
        if (!running || gen !== generation) return;
        showError(offline, api.toApiError(e), t('consent-offline'), ' ');
        await sleep(RETRY_MS);
      }
    }
  }

  async function decide(c: ConsentCard, approve: boolean): Promise<void> {
    const el = [...list.querySelectorAll<HTMLElement>('.consent-card')].find((x) => x.dataset.id === c.id);
    const buttons = el ? [...el.querySelectorAll('button')] : [];
    buttons.forEach((b) => (b.disabled = true));
    try {
      const accepted = await api.decide(c.id, approve);
      decided.add(c.id);
      // Focus goes to the next card's first button, else to the heading.
      const next = el?.nextElementSibling ?? el?.previousElementSibling;
      cards.delete(c.id);
      render();
      const client = nameOf(c);
      setStatus(status, accepted
        ? t(approve ? 'consent-approved' : 'consent-denied', { client })
        : t('consent-gone', { client }), accepted ? 'ok' : 'info');
      (next?.querySelector<HTMLElement>('button') ?? byId('consent-heading')).focus();
    } catch (e) {
      buttons.forEach((b) => (b.disabled = false));
      showError(status, api.toApiError(e));
    }
  }

  const offLocale = onLocaleChange(rerenderAll);
  render();

  return {
    start() {
      if (running) return;
      running = true;
      generation++;
      void loop(generation);
    },
    stop() {
      running = false;
      generation++;
    },
    reload() {
      // The settings changed (language, display profile): the core renders requests for
      // them, so what is on screen — and what a long poll already under way will bring,
      // rendered with the old settings — is dropped and asked for again.
      cards.clear();
      render();
      if (running) {
        generation++;
        void loop(generation);
      }
    },
    dispose() {
      this.stop();
      offLocale();
    },
    count: () => cards.size,
  };
}
