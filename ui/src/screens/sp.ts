// 3b. The page of one SP, inside the Access screen in place of the list: what it can
// access now (stopping one item, with a confirmation), what it no longer gets, the dates of
// the consent, its data accesses per day, and its signed consent receipts. Revoking all and
// reporting go through the Access screen's own dialogs (the host).
import * as api from '../api';
import type { AuditEntry } from '../bindings/AuditEntry';
import type { Grant } from '../bindings/Grant';
import type { Receipt } from '../bindings/Receipt';
import type { ReceiptClaims } from '../bindings/ReceiptClaims';
import { ACCESS_KIND, drawChart, groupAccesses, svgWidth } from '../chart';
import { byId, closeDialog, h, openDialog, setStatus, setText, show } from '../dom';
import { attrLabel, formatDate, formatIsoDate, formatNumber, isRtl, locale, t } from '../i18n';

/** What the page needs from the Access screen around it. */
export type SpHost = {
  /** Loads the grants again; the host then calls update() with the fresh grant (or leaves the page). */
  reload(): Promise<void>;
  /** Back to the list (the "All services" button). */
  back(): void;
  /** The revocation dialog, for every attribute at once. */
  revokeAll(grant: Grant, opener: HTMLElement): void;
  /** The report dialog. */
  report(grant: Grant, opener: HTMLElement): void;
};

export type SpPage = {
  /** Draws the page of `grant` (already visible), focuses its heading, then fetches its receipts and accesses. */
  open(grant: Grant): Promise<void>;
  /** Draws the page again with a fresher copy of its grant, or in a new language. */
  update(grant: Grant): void;
  /** Forgets the grant (the page is hidden). */
  close(): void;
  /** The page's status line (aria-live). */
  status(text: string, tone?: 'ok' | 'error' | 'info'): void;
  /** The page's error box (role=alert). */
  error(text: string): void;
  dispose(): void;
};

/** A UI string when the locales have it, else `fallback` (open-ended values: DPV terms, authenticators). */
function tOr(id: string, fallback: string): string {
  const text = t(id);
  return text === id ? fallback : text;
}

/** "dpv:IdentityVerification" → "Verifying your identity" where worded, else the term itself. */
export function purposeLabel(term: string): string {
  return tOr(`sp-purpose-${term.replace(/^dpv:/, '')}`, term);
}

/** The receipt's kind in words: a consent, an item stopped, or the whole consent revoked. */
export function receiptKind(r: Receipt): string {
  if (r.kind === 'consent') return t('sp-receipt-consent');
  if (r.kind !== 'withdrawal') return r.kind;
  return r.claims && (r.claims.remaining ?? []).length === 0 ? t('sp-receipt-revocation') : t('sp-receipt-withdrawal');
}

/** "YYYY-MM-DD" (local) → the date, for the chart. */
function dayDate(key: string): Date {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(y, m - 1, d, 12);
}

export function initSpPage(host: SpHost): SpPage {
  const heading = byId('sp-name');
  const statusLine = byId('sp-status');
  const errorBox = byId('sp-error');
  const hint = byId('sp-access-hint');
  const attrList = byId('sp-attributes');
  const withdrawnBlock = byId('sp-withdrawn-block');
  const withdrawnList = byId('sp-withdrawn');
  const receiptList = byId('sp-receipts');
  const receiptsEmpty = byId('sp-receipts-empty');
  const receiptsStatus = byId('sp-receipts-status');
  const svg = document.getElementById('sp-chart') as unknown as SVGSVGElement;
  const legend = byId('sp-legend');
  const chartDesc = byId('sp-chart-desc');
  const dialog = byId<HTMLDialogElement>('confirm-withdraw');
  const dialogText = byId('confirm-withdraw-text');
  const dialogYes = byId<HTMLButtonElement>('confirm-withdraw-yes');

  let grant: Grant | null = null;
  /** Null until fetched; the fetch's error message when it failed. */
  let receipts: Receipt[] | null = null;
  let accesses: AuditEntry[] | null = null;
  let fetchError: string | null = null;
  /** Counts fetches, so a late answer for a page left meanwhile is dropped. */
  let fetches = 0;
  /** The attribute the open dialog is about, and the button that opened it. */
  let target: { grant: Grant, attribute: string, opener: HTMLElement } | null = null;

  function chips(items: string[], cls: string, label: (x: string) => string): HTMLElement {
    return h('ul', { class: 'chips' }, ...items.map((x) => h('li', { class: `chip ${cls}`, dir: 'auto' }, label(x))));
  }

  function renderFacts(g: Grant): void {
    heading.replaceChildren(h('bdi', {}, g.client_name));
    const several = g.attributes.length > 1;
    setText(hint, several ? t('sp-access-hint') : t('sp-last-attribute'));
    attrList.replaceChildren(...g.attributes.map((a, i) => {
      const labelId = `sp-attr-${i}`;
      const item = h('li', { class: 'attr-item', 'data-attribute': a },
        h('span', { class: 'attr-name', id: labelId, dir: 'auto' }, attrLabel(a)));
      // The last item cannot be stopped alone: that is revoking the whole consent.
      if (several) {
        const stop = h('button', { class: 'btn small stop-sharing', type: 'button', 'aria-describedby': labelId }, t('sp-stop-sharing'));
        stop.addEventListener('click', () => openWithdraw(g, a, stop));
        item.append(stop);
      }
      return item;
    }));
    show(withdrawnBlock, g.withdrawn.length > 0);
    withdrawnList.replaceChildren(...g.withdrawn.map((a) => h('li', { class: 'chip withdrawn', 'data-attribute': a, dir: 'auto' }, attrLabel(a))));
    byId('sp-services').replaceChildren(g.services.length ? chips(g.services, 'service', (x) => x) : document.createTextNode('—'));
    setText(byId('sp-since'), formatIsoDate(g.granted_at));
    setText(byId('sp-ends'), g.expires_at ? formatIsoDate(g.expires_at) : t('sp-ends-revoke'));
    setText(byId('sp-last-used'), g.last_used ? formatIsoDate(g.last_used, true) : t('access-never'));
  }

  /** The width the chart was last drawn for (it is drawn again when that changes). */
  let drawnWidth = 0;
  function renderChart(g: Grant): void {
    const series = groupAccesses(accesses ?? []);
    const short = new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short' });
    drawnWidth = svgWidth(svg) || 640;
    drawChart(svg, legend, series, {
      sp: () => g.client_name,
      day: (key) => short.format(dayDate(key)),
      number: formatNumber,
      rtl: isRtl(),
    }, drawnWidth);
    svg.classList.toggle('empty', series.total === 0);
    if (accesses === null) setText(chartDesc, fetchError ? '' : t('loading'));
    else if (series.total === 0) setText(chartDesc, t('sp-chart-empty', { client: g.client_name }));
    else {
      setText(chartDesc, t('sp-chart-desc', {
        total: series.total,
        from: formatDate(dayDate(series.days[0]).getTime()),
        to: formatDate(dayDate(series.days[series.days.length - 1]).getTime()),
      }));
    }
  }

  function row(labelId: string, value: Node | string): HTMLElement[] {
    return [h('dt', {}, t(labelId)), h('dd', {}, value)];
  }

  /** What a receipt says, for its disclosure. */
  function claimRows(r: Receipt, c: ReceiptClaims): HTMLElement[] {
    const rows: HTMLElement[] = [];
    if (r.kind === 'consent') {
      rows.push(...row('sp-receipt-purposes', h('ul', { class: 'purposes' }, ...c.purposes.map((p) => h('li', { class: 'purpose' },
        h('span', { class: 'purpose-name' }, purposeLabel(p.purpose)), ' ',
        h('span', { class: 'chip service', dir: 'ltr' }, p.service),
        chips(p.attributes, 'attribute', attrLabel))))));
      if (c.method) {
        rows.push(...row('sp-receipt-method', tOr(`sp-method-${c.method.authenticator}`, c.method.authenticator)));
      }
      if (c.duration.kind !== 'transaction') {
        rows.push(...row('sp-ends', c.duration.expires_at ? formatIsoDate(c.duration.expires_at) : t('sp-ends-revoke')));
      }
    } else {
      const stopped = [...new Set(c.purposes.flatMap((p) => p.attributes))];
      const remaining = c.remaining ?? [];
      rows.push(...row('sp-receipt-withdrawn', stopped.length ? chips(stopped, 'attribute', attrLabel) : '—'));
      rows.push(...row('sp-receipt-remaining', remaining.length ? chips(remaining, 'attribute', attrLabel) : t('sp-receipt-nothing')));
    }
    return rows;
  }

  function renderReceipt(r: Receipt, i: number): HTMLElement {
    const headId = `sp-receipt-${i}`;
    const check = r.verified
      ? h('p', { class: 'receipt-check ok' }, t('sp-receipt-verified'))
      : h('p', { class: 'receipt-check bad' }, t('sp-receipt-problem', { message: r.problem ?? '?' }));
    const rows: HTMLElement[] = r.claims ? claimRows(r, r.claims) : [];
    if (r.prompt !== null) rows.push(...row('sp-receipt-text', h('pre', { class: 'mono-block receipt-text', dir: 'auto' }, r.prompt)));
    if (r.claims?.method) rows.push(...row('sp-receipt-hash', h('code', { class: 'mono', dir: 'ltr' }, r.claims.method.prompt_sha256)));
    rows.push(...row('sp-receipt-id', h('code', { class: 'mono', dir: 'ltr' }, r.id)));
    rows.push(...row('sp-receipt-jws', h('pre', { class: 'mono-block jws', dir: 'ltr' }, r.jws)));
    return h('li', { class: `receipt ${r.verified ? 'verified' : 'unverified'}`, 'data-receipt-id': r.id, 'data-kind': r.kind },
      h('p', { class: 'receipt-head', id: headId },
        h('span', { class: 'receipt-kind' }, receiptKind(r)), ' ',
        h('time', { datetime: r.at }, formatIsoDate(r.at, true))),
      check,
      h('details', { class: 'receipt-details' },
        h('summary', { 'aria-describedby': headId }, t('sp-receipt-details')),
        h('dl', { class: 'facts-list' }, ...rows)));
  }

  function renderReceipts(): void {
    const list = (receipts ?? []).slice().sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    receiptList.replaceChildren(...list.map(renderReceipt));
    show(receiptsEmpty, receipts !== null && list.length === 0);
    if (fetchError) setStatus(receiptsStatus, t('error-generic', { message: fetchError }), 'error');
    else setStatus(receiptsStatus, receipts === null ? t('loading') : '');
  }

  function render(): void {
    if (!grant) return;
    renderFacts(grant);
    renderChart(grant);
    renderReceipts();
  }

  /** The receipts (this SP's, whichever consent) and this SP's data accesses. */
  async function fetchExtras(): Promise<void> {
    const g = grant;
    if (!g) return;
    const mine = ++fetches;
    receiptList.setAttribute('aria-busy', 'true');
    try {
      const [rs, page] = await Promise.all([
        api.receipts(),
        api.history({ sp: g.client_id, kind: ACCESS_KIND, since_ms: null, limit: null }),
      ]);
      if (mine !== fetches) return;
      receipts = rs.filter((r) => r.client_id === g.client_id);
      accesses = page.entries;
      fetchError = null;
    } catch (e) {
      if (mine !== fetches) return;
      fetchError = api.toApiError(e).message;
    } finally {
      if (mine === fetches) receiptList.removeAttribute('aria-busy');
    }
    render();
  }

  // ---- stopping one item ----

  function openWithdraw(g: Grant, attribute: string, opener: HTMLElement): void {
    target = { grant: g, attribute, opener };
    setText(dialogText, t('withdraw-text', { client: g.client_name, attribute: attrLabel(attribute) }));
    openDialog(dialog);
    byId('confirm-withdraw-no').focus();
  }

  function finish(focus?: HTMLElement): void {
    closeDialog(dialog);
    (focus ?? target?.opener)?.focus();
    target = null;
  }

  byId('confirm-withdraw-no').addEventListener('click', () => finish());
  dialog.addEventListener('close', () => { target = null; });
  dialogYes.addEventListener('click', async () => {
    if (!target) return;
    const { grant: g, attribute } = target;
    dialogYes.disabled = true;
    setStatus(errorBox, '');
    try {
      await api.withdraw(g.id, [attribute]);
    } catch (e) {
      // Refused (an item it no longer gives, the last one…): nothing changed, the page stays.
      finish();
      setStatus(errorBox, t('error-generic', { message: api.toApiError(e).message }), 'error');
      return;
    } finally {
      dialogYes.disabled = false;
    }
    // The button is gone with the item: the focus goes to the list of what remains.
    finish(byId('sp-access-title'));
    setStatus(statusLine, t('withdraw-done', { client: g.client_name, attribute: attrLabel(attribute) }), 'ok');
    await host.reload();
    await fetchExtras();
  });

  byId('sp-back').addEventListener('click', () => host.back());
  byId('sp-revoke').addEventListener('click', (ev) => { if (grant) host.revokeAll(grant, ev.currentTarget as HTMLElement); });
  byId('sp-flag').addEventListener('click', (ev) => { if (grant) host.report(grant, ev.currentTarget as HTMLElement); });

  // Redraw the chart when its width changes (window resized, phone rotated).
  const resize = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => {
    // Next frame: redrawing inside the callback would resize what is being observed.
    requestAnimationFrame(() => {
      const w = svgWidth(svg);
      if (grant && w > 0 && Math.abs(w - drawnWidth) > 1) renderChart(grant);
    });
  });
  resize?.observe(svg.parentElement!);

  return {
    async open(g) {
      grant = g;
      receipts = null;
      accesses = null;
      fetchError = null;
      setStatus(statusLine, '');
      setStatus(errorBox, '');
      render();
      heading.focus();
      await fetchExtras();
    },
    update(g) {
      grant = g;
      render();
    },
    close() {
      grant = null;
      fetches++;
      if (target) finish();
    },
    status: (text, tone = 'info') => setStatus(statusLine, text, tone),
    error: (text) => setStatus(errorBox, text, 'error'),
    dispose() {
      resize?.disconnect();
    },
  };
}
