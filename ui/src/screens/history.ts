// 4. History: filters, the entries in words (the details behind a disclosure), the
// accesses chart, export and verification.
import { showError } from '../errors';
import * as api from '../api';
import type { AuditEntry } from '../bindings/AuditEntry';
import type { Description } from '../bindings/Description';
import type { EntryKind } from '../bindings/EntryKind';
import type { HistoryFilter } from '../bindings/HistoryFilter';
import type { VerifyResult } from '../bindings/VerifyResult';
import { ACCESS_KIND, drawChart, groupAccesses } from '../chart';
import { byId, h, setStatus, setText, show } from '../dom';
import { formatDateTime, formatNumber, isRtl, locale, onLocaleChange, t } from '../i18n';
import { loadSpNames, spLabel, spNames } from '../state';
import { ENTRY_KINDS, historyMessage, kindLabel, sentence } from '../words';

export const HISTORY_LIMIT = 500;

export type History = { load(): Promise<void>, verify(): Promise<void>, dispose(): void };

/** The verification as one plain sentence. */
export function verifyText(r: VerifyResult): string {
  if (!r.verified || !r.details) return t('history-verify-bad', { message: r.message ?? '?' });
  const ok = t('history-verify-ok', { entries: r.details.entries });
  const seq = r.details.checkpoint_seq;
  return seq === null ? ok : `${ok} ${t('history-verify-vouched', { seq })}`;
}

export function initHistory(): History {
  const spSelect = byId<HTMLSelectElement>('filter-sp');
  const kindSelect = byId<HTMLSelectElement>('filter-kind');
  const since = byId<HTMLInputElement>('filter-since');
  const tbody = byId<HTMLTableElement>('history-list').tBodies[0];
  const empty = byId('history-empty');
  const offline = byId('history-offline');
  const verifyOut = byId('history-verify');
  const exportOut = byId('history-export-result');
  const svg = document.getElementById('history-chart') as unknown as SVGSVGElement;
  const legend = byId('history-legend');
  const chartDesc = byId('history-chart-desc');
  /** Every SP seen so far, so filtering by one SP doesn't shrink the list of SPs. */
  const seenSps = new Set<string>();
  let entries: AuditEntry[] = [];
  /** Each entry in words, same order as entries. */
  let descriptions: Description[] = [];
  let accesses: AuditEntry[] = [];
  let lastVerify: VerifyResult | api.ApiError | null = null;

  function filter(): HistoryFilter {
    const ms = since.value ? new Date(since.value).getTime() : NaN;
    return {
      sp: spSelect.value || null,
      kind: (kindSelect.value || null) as EntryKind | null,
      since_ms: Number.isNaN(ms) ? null : ms,
      limit: HISTORY_LIMIT,
    };
  }

  function renderSpOptions(): void {
    const chosen = spSelect.value;
    const options = [...seenSps].sort((a, b) => spLabel(a).localeCompare(spLabel(b)))
      .map((sp) => h('option', { value: sp }, spLabel(sp)));
    spSelect.replaceChildren(spSelect.options[0], ...options);
    spSelect.value = chosen;
  }

  function renderKindOptions(): void {
    const chosen = kindSelect.value;
    kindSelect.replaceChildren(kindSelect.options[0],
      ...ENTRY_KINDS.map((kind) => h('option', { value: kind }, kindLabel(kind))));
    kindSelect.value = chosen;
  }

  function cell(label: string, ...content: (Node | string | null)[]): HTMLTableCellElement {
    return h('td', { 'data-label': label }, ...content);
  }

  /** One fact of the details: a term and its value as recorded. */
  function fact(label: string, value: string | number, className?: string): Node[] {
    return [h('dt', {}, label), h('dd', className ? { class: className, dir: 'ltr' } : { dir: 'auto' }, String(value))];
  }

  /** What the entry recorded, behind a disclosure (a native <details>: keyboard reachable). */
  function details(e: AuditEntry, d: Description | undefined): HTMLDetailsElement {
    return h('details', { class: 'entry-details' },
      h('summary', {}, historyMessage('fact-details')),
      h('dl', {},
        ...fact(historyMessage('fact-kind'), kindLabel(e.kind)),
        ...fact(historyMessage('fact-seq'), e.seq),
        ...(d?.facts ?? []).flatMap((f) => fact(historyMessage(f.label), f.value)),
        ...(e.authenticator ? fact(historyMessage('fact-authenticator'), e.authenticator) : []),
        ...fact(historyMessage('fact-hash'), e.hash, 'hash'),
        ...fact(historyMessage('fact-detail'), e.detail, 'raw')));
  }

  function renderEntries(): void {
    tbody.replaceChildren(...entries.map((e, i) => {
      const d = descriptions[i];
      return h('tr', { 'data-seq': e.seq, 'data-kind': e.kind },
        cell(t('history-time'), h('time', { datetime: new Date(e.at_ms).toISOString() }, formatDateTime(e.at_ms))),
        cell(t('history-kind'),
          h('p', { class: 'sentence' }, d ? sentence(d) : kindLabel(e.kind)),
          details(e, d)));
    }));
    show(empty, entries.length === 0);
  }

  /** The chart's width in CSS pixels; 0 while nothing is laid out (hidden screen, jsdom). */
  function chartWidth(): number {
    const own = svg.getBoundingClientRect().width;
    if (own > 0) return own;
    const style = svg.parentElement ? getComputedStyle(svg.parentElement) : null;
    const inner = (svg.parentElement?.clientWidth ?? 0) - parseFloat(style?.paddingInlineStart || '0') - parseFloat(style?.paddingInlineEnd || '0');
    return Math.max(0, inner);
  }

  let drawnWidth = 0;
  function renderChart(): void {
    const series = groupAccesses(accesses);
    drawnWidth = chartWidth() || 640;
    drawChart(svg, legend, series, {
      sp: spLabel,
      day: (key) => {
        const [y, m, d] = key.split('-').map(Number);
        return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short' })
          .format(new Date(y, m - 1, d, 12));
      },
      number: formatNumber,
      rtl: isRtl(),
    }, drawnWidth);
    chartDesc.textContent = series.total === 0
      ? t('history-chart-empty')
      : t('history-chart-desc', { total: series.total, services: series.sps.length, days: series.days.length });
    svg.classList.toggle('empty', series.total === 0);
  }

  function renderVerify(): void {
    verifyOut.classList.remove('ok', 'bad');
    if (!lastVerify) return;
    if (lastVerify instanceof api.ApiError) {
      setText(verifyOut, t('history-verify-bad', { message: lastVerify.message }));
      verifyOut.classList.add('bad');
    } else {
      verifyOut.textContent = verifyText(lastVerify);
      verifyOut.classList.add(lastVerify.verified ? 'ok' : 'bad');
    }
  }

  async function load(): Promise<void> {
    await loadSpNames();
    const f = filter();
    tbody.parentElement!.setAttribute('aria-busy', 'true');
    try {
      // The chart shows accesses whatever the kind filter says; SP and date still apply.
      const [page, accessPage] = await Promise.all([
        api.history(f),
        f.kind === ACCESS_KIND ? null : api.history({ ...f, kind: ACCESS_KIND, limit: null }),
      ]);
      entries = page.entries;
      descriptions = page.descriptions;
      accesses = accessPage ? accessPage.entries : page.entries;
      for (const e of [...entries, ...accesses]) if (e.sp) seenSps.add(e.sp);
      // The names the gateway sent with the history: an SP no longer granted is still named.
      entries.forEach((e, i) => {
        const sp = descriptions[i]?.args.sp;
        if (e.sp && sp?.type === 'text' && sp.value && !spNames.has(e.sp)) spNames.set(e.sp, sp.value);
      });
      setStatus(offline, page.synced ? '' : t('history-offline'), 'info');
      renderSpOptions();
      renderEntries();
      renderChart();
    } catch (e) {
      showError(offline, api.toApiError(e));
    } finally {
      tbody.parentElement!.removeAttribute('aria-busy');
    }
  }

  async function verify(): Promise<void> {
    verifyOut.classList.remove('ok', 'bad');
    verifyOut.textContent = t('history-verifying');
    try {
      lastVerify = await api.historyVerify();
    } catch (e) {
      lastVerify = api.toApiError(e);
    }
    renderVerify();
  }

  for (const el of [spSelect, kindSelect, since]) el.addEventListener('change', () => void load());
  byId('history-filters').addEventListener('submit', (ev) => { ev.preventDefault(); void load(); });
  byId('history-verify-run').addEventListener('click', () => void verify());
  byId('history-export').addEventListener('click', async () => {
    setStatus(exportOut, t('working'));
    try {
      const path = await api.historyExport();
      setStatus(exportOut, t('history-exported', { path }), 'ok');
      exportOut.dataset.path = path;
    } catch (e) {
      showError(exportOut, api.toApiError(e));
    }
  });

  // Redraw when the chart's width changes (window resized, phone rotated).
  const resize = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => {
    // Next frame: redrawing inside the callback would resize what is being observed.
    requestAnimationFrame(() => {
      const w = chartWidth();
      if (w > 0 && accesses.length && Math.abs(w - drawnWidth) > 1) renderChart();
    });
  });
  resize?.observe(svg.parentElement!);

  renderKindOptions();
  const offLocale = onLocaleChange(() => {
    renderKindOptions();
    renderSpOptions();
    renderEntries();
    renderChart();
    renderVerify();
  });
  return {
    load,
    verify,
    dispose() {
      offLocale();
      resize?.disconnect();
    },
  };
}
