// The history's timeline: data accesses (kind resource_access) per SP per day, as
// stacked bars in an inline SVG. groupAccesses is pure (and tested); drawChart only draws.
import type { AuditEntry } from './bindings/AuditEntry';
import { s } from './dom';

export const ACCESS_KIND = 'resource_access';
/** How many colours the stylesheet has (.series-0 … .series-7); more SPs reuse them. */
export const SERIES_COLOURS = 8;

export type AccessSeries = {
  /** Consecutive days, oldest first, as local "YYYY-MM-DD". */
  days: string[];
  /** SP ids ('' for entries without one), most accesses first. */
  sps: string[];
  /** counts[day][sp], indices into days and sps. */
  counts: number[][];
  /** Accesses per SP, same order as sps. */
  totals: number[];
  /** The largest daily sum (the y axis). */
  max: number;
  total: number;
};

const pad = (n: number) => String(n).padStart(2, '0');

/** The local calendar day of a timestamp, "YYYY-MM-DD". */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function nextDay(key: string): string {
  const [y, m, d] = key.split('-').map(Number);
  return dayKey(new Date(y, m - 1, d + 1, 12).getTime());
}

/**
 * Counts accesses per SP per day. Days run without gaps from the first access to the
 * last (days without any are zero), keeping the newest `maxDays`.
 */
export function groupAccesses(entries: readonly AuditEntry[], maxDays = 30): AccessSeries {
  const perDay = new Map<string, Map<string, number>>();
  const perSp = new Map<string, number>();
  for (const e of entries) {
    if (e.kind !== ACCESS_KIND) continue;
    const day = dayKey(e.at_ms);
    const sp = e.sp ?? '';
    const row = perDay.get(day) ?? new Map<string, number>();
    row.set(sp, (row.get(sp) ?? 0) + 1);
    perDay.set(day, row);
  }
  if (perDay.size === 0) return { days: [], sps: [], counts: [], totals: [], max: 0, total: 0 };

  const sorted = [...perDay.keys()].sort();
  let days: string[] = [];
  for (let d = sorted[0]; d <= sorted[sorted.length - 1]; d = nextDay(d)) days.push(d);
  days = days.slice(-maxDays);

  for (const d of days) {
    for (const [sp, n] of perDay.get(d) ?? []) perSp.set(sp, (perSp.get(sp) ?? 0) + n);
  }
  const sps = [...perSp.keys()].sort((a, b) => perSp.get(b)! - perSp.get(a)! || a.localeCompare(b));
  const counts = days.map((d) => sps.map((sp) => perDay.get(d)?.get(sp) ?? 0));
  const sums = counts.map((row) => row.reduce((a, b) => a + b, 0));
  return {
    days,
    sps,
    counts,
    totals: sps.map((sp) => perSp.get(sp)!),
    max: Math.max(0, ...sums),
    total: sums.reduce((a, b) => a + b, 0),
  };
}

export type ChartLabels = {
  /** An SP id as shown (its name where known). */
  sp: (id: string) => string;
  /** A "YYYY-MM-DD" day as shown on the axis. */
  day: (key: string) => string;
  number: (n: number) => string;
  /** Right-to-left: the time axis runs from right to left. */
  rtl: boolean;
};

const H = 240;
const AXIS = 36; // room for the y labels
const BOTTOM = 28; // room for the day labels
const TOP = 12;

/**
 * Draws the stacked bars into svg (its children replaced) and the legend into legend.
 * `width` is the svg's width in CSS pixels: the viewBox matches it, so text stays 12 px
 * on a phone as on a desktop (redraw when it changes).
 */
export function drawChart(svg: SVGSVGElement, legend: HTMLElement, series: AccessSeries, labels: ChartLabels, width = 640): void {
  svg.replaceChildren();
  legend.replaceChildren();
  const W = Math.max(240, Math.round(width));
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  if (series.days.length === 0) return;

  const plotW = W - AXIS - 8;
  const plotH = H - TOP - BOTTOM;
  const band = plotW / series.days.length;
  const barW = Math.max(2, Math.min(48, band * 0.7));
  const max = Math.max(1, series.max);
  // In RTL the y axis sits on the right and time runs leftwards.
  const plotStart = labels.rtl ? 8 : AXIS;
  const xOf = (i: number) => {
    const x = AXIS + i * band + (band - barW) / 2; // left to right, then mirrored for RTL
    return labels.rtl ? W - x - barW : x;
  };
  const yOf = (v: number) => TOP + plotH - (v / max) * plotH;
  const round = (n: number) => Math.round(n * 10) / 10;

  // Grid lines and y labels at 0, half and max.
  const ticks = [...new Set([0, Math.round(max / 2), max])];
  for (const v of ticks) {
    const y = round(yOf(v));
    svg.append(s('line', { x1: plotStart, x2: plotStart + plotW, y1: y, y2: y, class: 'grid' }));
    // The svg is direction: ltr (CSS), so text-anchor start/end mean left/right.
    const [tx, cls] = labels.rtl ? [W - AXIS + 6, 'y-label-rtl'] : [AXIS - 6, 'y-label'];
    svg.append(s('text', { x: tx, y: y + 4, class: `axis-label ${cls}` }, labels.number(v)));
  }

  // Bars: one stack per day, SPs in legend order from the bottom.
  const labelEvery = Math.ceil(series.days.length / Math.max(2, Math.floor(plotW / 64))); // ~64 px per label
  series.days.forEach((day, i) => {
    const x = round(xOf(i));
    let acc = 0;
    series.counts[i].forEach((n, j) => {
      if (n === 0) return;
      const y0 = yOf(acc);
      const y1 = yOf(acc + n);
      acc += n;
      const rect = s('rect', {
        x, y: round(y1), width: round(barW), height: round(y0 - y1),
        class: `bar series-${j % SERIES_COLOURS}`, 'data-day': day, 'data-sp': series.sps[j], 'data-count': n,
      });
      rect.append(s('title', {}, `${labels.sp(series.sps[j])}, ${labels.day(day)}: ${labels.number(n)}`));
      svg.append(rect);
    });
    if ((series.days.length - 1 - i) % labelEvery === 0) { // the newest day always has a label
      svg.append(s('text', { x: round(x + barW / 2), y: H - 8, class: 'axis-label x-label' }, labels.day(day)));
    }
  });

  series.sps.forEach((sp, j) => {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = `swatch series-${j % SERIES_COLOURS}`;
    swatch.setAttribute('aria-hidden', 'true');
    const name = document.createElement('span');
    name.className = 'legend-name';
    name.textContent = labels.sp(sp);
    const count = document.createElement('span');
    count.className = 'legend-count';
    count.textContent = labels.number(series.totals[j]);
    item.append(swatch, name, count);
    legend.append(item);
  });
}

/**
 * An svg's width in CSS pixels for drawChart: its own, else its parent's inner width (a
 * chart hidden at first has none); 0 while nothing is laid out (jsdom).
 */
export function svgWidth(svg: SVGSVGElement): number {
  const own = svg.getBoundingClientRect().width;
  if (own > 0) return own;
  const parent = svg.parentElement;
  if (!parent) return 0;
  const style = getComputedStyle(parent);
  const inner = parent.clientWidth - parseFloat(style.paddingInlineStart || '0') - parseFloat(style.paddingInlineEnd || '0');
  return Math.max(0, inner);
}
