import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../src/bindings/AuditEntry';
import type { EntryKind } from '../src/bindings/EntryKind';
import { dayKey, drawChart, groupAccesses } from '../src/chart';

let seq = 0;
function entry(sp: string | null, at: Date, kind: EntryKind = 'resource_access'): AuditEntry {
  seq++;
  return { seq, at_ms: at.getTime(), kind, user: 'u', sp, authenticator: null, detail: '', prev_hash: '', user_prev_hash: null, hash: `${seq}` };
}
// Local dates, so the test holds in any time zone.
const at = (day: number, hour = 12, min = 0) => new Date(2025, 2, day, hour, min);

describe('groupAccesses', () => {
  it('counts accesses per SP per local day and ignores other kinds', () => {
    const s = groupAccesses([
      entry('shop', at(3, 0, 5)), entry('shop', at(3, 23, 59)), entry('bank', at(3, 9)),
      entry('shop', at(4, 10)), entry('bank', at(5, 8)), entry('bank', at(5, 9)), entry('bank', at(5, 10)),
      entry('shop', at(4, 11), 'consent'), entry('bank', at(3, 9), 'token_issued'),
    ]);
    expect(s.days).toEqual(['2025-03-03', '2025-03-04', '2025-03-05']);
    expect(s.sps).toEqual(['bank', 'shop']); // most accesses first (4 vs 3)
    expect(s.counts).toEqual([[1, 2], [0, 1], [3, 0]]);
    expect(s.totals).toEqual([4, 3]);
    expect(s.max).toBe(3);
    expect(s.total).toBe(7);
  });

  it('fills days without accesses, across a month end', () => {
    const s = groupAccesses([entry('a', new Date(2025, 0, 30, 12)), entry('a', new Date(2025, 1, 2, 12))]);
    expect(s.days).toEqual(['2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02']);
    expect(s.counts.map((r) => r[0])).toEqual([1, 0, 0, 1]);
  });

  it('keeps the newest days only', () => {
    const s = groupAccesses([entry('a', at(1)), entry('a', at(20)), entry('a', at(20))], 5);
    expect(s.days).toEqual(['2025-03-16', '2025-03-17', '2025-03-18', '2025-03-19', '2025-03-20']);
    expect(s.total).toBe(2);
  });

  it('groups entries without an SP together, and is empty without accesses', () => {
    expect(groupAccesses([entry(null, at(1)), entry(null, at(1))]).sps).toEqual(['']);
    expect(groupAccesses([entry('a', at(1), 'consent')])).toEqual({ days: [], sps: [], counts: [], totals: [], max: 0, total: 0 });
  });

  it('dayKey is the local calendar day', () => {
    expect(dayKey(new Date(2024, 11, 31, 23, 59).getTime())).toBe('2024-12-31');
    expect(dayKey(new Date(2025, 0, 1, 0, 0).getTime())).toBe('2025-01-01');
  });
});

describe('drawChart', () => {
  const series = groupAccesses([entry('shop', at(3)), entry('bank', at(3)), entry('bank', at(4))]);
  const labels = { sp: (id: string) => id.toUpperCase(), day: (d: string) => d.slice(8), number: String, rtl: false };

  it('draws one rect per SP and day with accesses, with classes (no style attributes) and a legend', () => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    const legend = document.createElement('ul');
    drawChart(svg, legend, series, labels);
    const bars = [...svg.querySelectorAll('rect')];
    expect(bars.map((b) => [b.getAttribute('data-day'), b.getAttribute('data-sp'), b.getAttribute('data-count')])).toEqual([
      ['2025-03-03', 'bank', '1'], ['2025-03-03', 'shop', '1'], ['2025-03-04', 'bank', '1'],
    ]);
    expect(svg.querySelector('[style]')).toBeNull();
    expect(bars[0].getAttribute('class')).toContain('series-0');
    expect([...legend.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['BANK2', 'SHOP1']);
  });

  it('mirrors the time axis in RTL', () => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    drawChart(svg, document.createElement('ul'), series, labels);
    const ltrFirst = Number(svg.querySelector('rect[data-day="2025-03-03"]')!.getAttribute('x'));
    const ltrLast = Number(svg.querySelector('rect[data-day="2025-03-04"]')!.getAttribute('x'));
    drawChart(svg, document.createElement('ul'), series, { ...labels, rtl: true });
    const rtlFirst = Number(svg.querySelector('rect[data-day="2025-03-03"]')!.getAttribute('x'));
    const rtlLast = Number(svg.querySelector('rect[data-day="2025-03-04"]')!.getAttribute('x'));
    expect(ltrFirst).toBeLessThan(ltrLast);
    expect(rtlFirst).toBeGreaterThan(rtlLast);
  });
});
