import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppHandle } from '../src/app';
import { formatIsoDate, setLocale } from '../src/i18n';
import { createMockBackend, type MockBackend, type MockOptions } from '../src/mock';
import { $, boot, plain, waitFor } from './helpers';

let app: AppHandle | undefined;
afterEach(() => {
  app?.stop();
  app = undefined;
  setLocale('en');
});

const all = <T extends HTMLElement = HTMLElement>(sel: string, root: ParentNode = document) => [...root.querySelectorAll<T>(sel)];
const texts = (sel: string, root: ParentNode = document) => all(sel, root).map((e) => plain(e.textContent).trim());
const grantOf = (mock: MockBackend, clientId: string) => mock.grants.find((g) => g.client_id === clientId)!;

/** The Access screen, then the page of `clientId` opened from its card, its receipts loaded. */
async function openPage(clientId = 'demo-shop', opts: MockOptions = {}): Promise<{ mock: MockBackend }> {
  const { app: a, mock } = await boot({ enrolled: true, ...opts });
  app = a;
  app.show('access');
  await waitFor(() => expect(all('.grant-card')).toHaveLength(3));
  $(`.grant-card[data-client-id="${clientId}"] .details`).click();
  await waitFor(() => expect(all('#sp-receipts .receipt').length).toBeGreaterThan(0));
  return { mock };
}

/** The rows (dt → dd) of a receipt's disclosure. */
function receiptRows(receipt: HTMLElement): Map<string, HTMLElement> {
  const out = new Map<string, HTMLElement>();
  for (const dt of all('details dt', receipt)) out.set(plain(dt.textContent), dt.nextElementSibling as HTMLElement);
  return out;
}

describe('the page of an SP', () => {
  it('opens from its card in place of the list, with its name as the focused heading', async () => {
    const { app: a } = await boot({ enrolled: true });
    app = a;
    app.show('access');
    await waitFor(() => expect(all('.grant-card')).toHaveLength(3));
    const card = $('.grant-card[data-client-id="ba-weiterbildung"]');
    // Each card says when its consent ends (or that it lasts until revoked).
    const facts = [...card.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling!.textContent]);
    const ends = facts.find(([label]) => label === 'Ends');
    expect(ends?.[1]).toMatch(/\d{4}|when you revoke it/);
    // None of the demo's consents ends within the week: no reminder on the cards.
    expect(all('.grant-card .ends-soon')).toHaveLength(0);
    const details = card.querySelector<HTMLButtonElement>('.details')!;
    expect(details.tagName).toBe('BUTTON');
    expect(details.type).toBe('button');
    expect(details.textContent).toBe('Details');
    // Described by the card's title, so "Details" says whose.
    expect(document.getElementById(details.getAttribute('aria-describedby')!)!.textContent)
      .toBe('Bundesagentur für Arbeitsvermittlung und Weiterbildung');

    details.click();
    expect($('#access-detail').hidden).toBe(false);
    expect($('#access-overview').hidden).toBe(true);
    expect(document.activeElement).toBe($('#sp-name'));
    expect($('#sp-name').tagName).toBe('H1');
    expect($('#sp-name').textContent).toBe('Bundesagentur für Arbeitsvermittlung und Weiterbildung');
    expect($('#sp-back').textContent!.trim()).toBe('All services');
    // The revoke and report buttons say whose too.
    expect($('#sp-revoke').getAttribute('aria-describedby')).toBe('sp-name');
    expect($('#sp-flag').getAttribute('aria-describedby')).toBe('sp-name');
  });

  it('says on the card when a consent ends within the week, as the gateway\'s reminder does', async () => {
    const mock = createMockBackend({ delayMs: 0, enrolled: true });
    const soon = new Date(Date.now() + 3 * 86_400_000).toISOString();
    mock.grants[0].expires_at = soon;
    ({ app } = await boot(mock));
    app.show('access');
    await waitFor(() => expect(all('.grant-card .ends-soon')).toHaveLength(1));
    const card = all('.grant-card').find((c) => c.querySelector('.ends-soon'))!;
    expect(card.dataset.grantId).toBe(mock.grants[0].id);
    expect(plain(card.querySelector('.ends-soon')!.textContent)).toMatch(/^This access ends on .+\. To keep it, approve the service's next request\.$/);
  });

  it('shows what it gets now, the dates, its accesses per day and its receipts', async () => {
    const { mock } = await openPage('demo-shop');
    const g = grantOf(mock, 'demo-shop');
    expect(texts('#sp-attributes .attr-name')).toEqual(['given name', 'email']);
    expect(texts('#sp-attributes .stop-sharing')).toEqual(['Stop sharing', 'Stop sharing']);
    // Each "Stop sharing" is described by its item.
    for (const b of all('#sp-attributes .stop-sharing')) {
      expect(['given name', 'email']).toContain(document.getElementById(b.getAttribute('aria-describedby')!)!.textContent);
    }
    expect($('#sp-withdrawn-block').hidden).toBe(true);
    expect(texts('#sp-services .chip')).toEqual(['login', 'orders']);
    expect($('#sp-since').textContent).toBe(formatIsoDate(g.granted_at));
    expect(g.expires_at).not.toBeNull();
    expect($('#sp-ends').textContent).toBe(formatIsoDate(g.expires_at!));
    expect($('#sp-last-used').textContent).toBe(formatIsoDate(g.last_used!, true));

    // The chart: this SP's accesses only, with a caption and a one-line legend.
    const bars = all('#sp-chart rect.bar');
    expect(bars.length).toBeGreaterThan(3);
    expect(new Set(bars.map((b) => b.getAttribute('data-sp')))).toEqual(new Set(['demo-shop']));
    const count = mock.entries.filter((e) => e.sp === 'demo-shop' && e.kind === 'resource_access').length;
    expect(bars.reduce((n, b) => n + Number(b.getAttribute('data-count')), 0)).toBe(count);
    expect(plain($('#sp-chart-desc').textContent)).toMatch(new RegExp(`^Data accesses: ${count}, from .+ to .+\\.$`));
    expect(texts('#sp-legend .legend-name')).toEqual(['Demo Shop']);
    expect($('#sp-chart').getAttribute('aria-labelledby')).toBe('sp-chart-title sp-chart-desc');

    // One receipt, the consent's, verified.
    const receipts = all('#sp-receipts .receipt');
    expect(receipts).toHaveLength(1);
    expect(plain(receipts[0].querySelector('.receipt-kind')!.textContent)).toBe('Consent given');
    expect(receipts[0].querySelector('time')!.getAttribute('datetime')).toBe(mock.receipts[0].at);
    expect(plain(receipts[0].querySelector('.receipt-check')!.textContent)).toBe('✓ Verified');

    // An SP whose consent lasts until revoked, and that never read anything.
    $('#sp-back').click();
    $('.grant-card[data-client-id="masraf-alamal"] .details').click();
    await waitFor(() => expect($('#sp-name').textContent).toBe('مصرف الأمل الرقمي'));
    expect($('#sp-ends').textContent).toBe('when you revoke it');
    expect($('#sp-last-used').textContent).toBe('never');
  });

  it('stops sharing one item after a confirmation: it moves to "no longer shared", with a status and a new receipt', async () => {
    const { mock } = await openPage('demo-shop');
    const email = all('#sp-attributes .attr-item').find((li) => li.dataset.attribute === 'email')!;
    const stop = email.querySelector<HTMLButtonElement>('.stop-sharing')!;

    // Cancelling changes nothing, and the focus returns to the button.
    stop.click();
    expect($('#confirm-withdraw').hasAttribute('open')).toBe(true);
    expect(document.activeElement).toBe($('#confirm-withdraw-no'));
    $('#confirm-withdraw-no').click();
    expect($('#confirm-withdraw').hasAttribute('open')).toBe(false);
    expect(document.activeElement).toBe(stop);
    expect(grantOf(mock, 'demo-shop').attributes).toEqual(['given_name', 'email']);

    stop.click();
    expect(plain($('#confirm-withdraw-text').textContent)).toBe('Demo Shop will no longer get your “email”. It keeps what you still share.');
    $('#confirm-withdraw-yes').click();
    await waitFor(() => expect(texts('#sp-withdrawn .chip')).toEqual(['email']));
    expect($('#confirm-withdraw').hasAttribute('open')).toBe(false);
    expect($('#sp-withdrawn-block').hidden).toBe(false);
    expect(texts('#sp-attributes .attr-name')).toEqual(['given name']);
    expect(plain($('#sp-status').textContent)).toBe('Demo Shop no longer gets your “email”. A receipt was added below.');
    expect($('#sp-status').getAttribute('aria-live')).toBe('polite');
    expect(document.activeElement).toBe($('#sp-access-title'));

    // The backend: the grant, the audit entry, the receipt.
    expect(grantOf(mock, 'demo-shop')).toMatchObject({ attributes: ['given_name'], withdrawn: ['email'] });
    const entry = mock.entries.at(-1)!;
    expect(entry).toMatchObject({ kind: 'revocation', sp: 'demo-shop' });
    // As the gateway writes it: by the user, on this device, the attributes withdrawn.
    expect(JSON.parse(entry.detail)).toEqual({ by: 'user', consent: 'grant-demo-shop', device: 'd-this', attributes: ['email'] });

    // Newest first: the withdrawal, then the consent.
    await waitFor(() => expect(all('#sp-receipts .receipt')).toHaveLength(2));
    const [newest, oldest] = all('#sp-receipts .receipt');
    expect(newest.dataset.kind).toBe('withdrawal');
    expect(plain(newest.querySelector('.receipt-kind')!.textContent)).toBe('Sharing stopped');
    expect(oldest.dataset.kind).toBe('consent');
    const rows = receiptRows(newest);
    expect(texts('.chip', rows.get('Stopped sharing')!)).toEqual(['email']);
    expect(texts('.chip', rows.get('Still shared')!)).toEqual(['given name']);

    // One item left: it cannot be stopped alone (that is revoking), and the page says so.
    expect(all('#sp-attributes .stop-sharing')).toHaveLength(0);
    expect($('#sp-access-hint').textContent).toBe('This is the last item it gets: to stop sharing it, revoke all.');
    // The list behind the page has the fresh grant too.
    expect(texts('.grant-card[data-client-id="demo-shop"] .chip.attribute')).toEqual(['given name']);
  });

  it('shows in each receipt\'s disclosure what it says, the exact text shown and the signed JWS', async () => {
    const { mock } = await openPage('demo-shop');
    const g = grantOf(mock, 'demo-shop');
    const signed = mock.receipts.find((r) => r.client_id === 'demo-shop')!;
    const receipt = $('#sp-receipts .receipt');
    const details = receipt.querySelector('details')!;
    expect(details.open).toBe(false);
    const summary = details.querySelector('summary')!;
    expect(summary.textContent).toBe('What it says');
    expect(document.getElementById(summary.getAttribute('aria-describedby')!)!.textContent).toContain('Consent given');

    const rows = receiptRows(receipt);
    expect([...rows.keys()]).toEqual(['Given for', 'How it was given', 'Ends', 'The exact text you were shown', 'SHA-256 of that text', 'Receipt number', 'Signed receipt (compact JWS)']);
    const purposes = all('.purpose', rows.get('Given for')!);
    expect(plain(purposes[0].querySelector('.purpose-name')!.textContent)).toBe('Verifying your identity');
    expect(texts('.chip.attribute', purposes[0])).toEqual(['given name', 'email']);
    expect(rows.get('How it was given')!.textContent).toBe('In the Assent app');
    const text = rows.get('The exact text you were shown')!.querySelector('pre')!;
    expect(text.textContent).toBe(g.prompt);
    expect(text.textContent).toContain('Demo Shop');
    expect(rows.get('SHA-256 of that text')!.textContent).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.get('Receipt number')!.textContent).toBe(signed.id);
    const jws = rows.get('Signed receipt (compact JWS)')!.querySelector('pre')!;
    expect(jws.textContent).toBe(signed.jws);
    expect(jws.textContent!.split('.')).toHaveLength(3);
    expect(jws.dir).toBe('ltr');
    expect(jws.classList.contains('mono-block')).toBe(true);
  });

  it('says in words why a receipt does not verify', async () => {
    const { app: a, mock } = await boot({ enrolled: true });
    app = a;
    const r = mock.receipts.find((x) => x.client_id === 'ba-weiterbildung')!;
    Object.assign(r, { verified: false, claims: null, problem: 'its signature is not the gateway\'s: InvalidSignature' });
    app.show('access');
    await waitFor(() => expect(all('.grant-card')).toHaveLength(3));
    $('.grant-card[data-client-id="ba-weiterbildung"] .details').click();
    await waitFor(() => expect(all('#sp-receipts .receipt')).toHaveLength(1));
    const receipt = $('#sp-receipts .receipt');
    expect(receipt.classList.contains('unverified')).toBe(true);
    expect(plain(receipt.querySelector('.receipt-check')!.textContent))
      .toBe('✗ Does not verify: its signature is not the gateway\'s: InvalidSignature');
    // Still the text and the JWS, to hand to someone who can check them.
    expect([...receiptRows(receipt).keys()]).toEqual(['The exact text you were shown', 'Receipt number', 'Signed receipt (compact JWS)']);
  });

  it('revokes all with the revocation dialog, then returns to the list', async () => {
    const { mock } = await openPage('demo-shop');
    $('#sp-revoke').click();
    expect($('#confirm-revoke').hasAttribute('open')).toBe(true);
    expect(plain($('#confirm-revoke-text').textContent)).toContain('Demo Shop will no longer get your data');
    $('#confirm-revoke-yes').click();
    await waitFor(() => expect(all('.grant-card')).toHaveLength(2));
    expect($('#access-detail').hidden).toBe(true);
    expect($('#access-overview').hidden).toBe(false);
    expect($('#confirm-revoke').hasAttribute('open')).toBe(false);
    expect(document.activeElement).toBe($('#access-heading'));
    expect(plain($('#access-status').textContent)).toBe('Demo Shop no longer has access.');
    const last = mock.receipts.at(-1)!;
    expect(last).toMatchObject({ client_id: 'demo-shop', kind: 'withdrawal' });
    expect(last.claims!.remaining).toEqual([]);
  });

  it('reports the SP with the report dialog, the result on the page', async () => {
    const { mock } = await openPage('ba-weiterbildung');
    $('#sp-flag').click();
    expect($('#flag-dialog').hasAttribute('open')).toBe(true);
    $<HTMLTextAreaElement>('#flag-reason').value = 'Asks for my birthdate every day';
    $('#flag-send').click();
    await waitFor(() => expect($('#flag-dialog').hasAttribute('open')).toBe(false));
    expect(mock.entries.at(-1)).toMatchObject({ kind: 'sp_flagged', sp: 'ba-weiterbildung' });
    expect(plain($('#sp-status').textContent)).toBe('Your report about Bundesagentur für Arbeitsvermittlung und Weiterbildung was sent.');
    expect(document.activeElement).toBe($('#sp-flag'));
    expect($('#access-detail').hidden).toBe(false);
  });

  it('"All services" returns to the list, the focus on the Details button of that SP', async () => {
    await openPage('ba-weiterbildung');
    $('#sp-back').click();
    expect($('#access-detail').hidden).toBe(true);
    expect($('#access-overview').hidden).toBe(false);
    expect(document.activeElement).toBe($('.grant-card[data-client-id="ba-weiterbildung"] .details'));
    // Entering the screen again from the navigation shows the list too.
    $('.grant-card[data-client-id="demo-shop"] .details').click();
    $('#nav-history').click();
    $('#nav-access').click();
    expect($('#access-overview').hidden).toBe(false);
    expect($('#access-detail').hidden).toBe(true);
  });

  it('in Arabic: right to left, every string translated', async () => {
    const { mock } = await openPage('demo-shop', { locale: 'ar' });
    expect(document.documentElement.dir).toBe('rtl');
    expect($('#sp-back').textContent!.trim()).toBe('كل الخدمات');
    expect(texts('#sp-attributes .stop-sharing')).toEqual(['إيقاف المشاركة', 'إيقاف المشاركة']);
    // Withdraw, so the page has "no longer shared" and a withdrawal receipt as well.
    all<HTMLButtonElement>('#sp-attributes .stop-sharing')[1].click();
    const dialogText = plain($('#confirm-withdraw-text').textContent);
    expect(dialogText).toContain('Demo Shop');
    expect(dialogText).toMatch(/[\u0600-\u06FF]/);
    expect($('#confirm-withdraw-yes').textContent).toBe('إيقاف المشاركة');
    $('#confirm-withdraw-yes').click();
    await waitFor(() => expect(all('#sp-receipts .receipt')).toHaveLength(2));
    expect(grantOf(mock, 'demo-shop').withdrawn).toEqual(['email']);

    const rawId = /\b(?:sp|withdraw|access|revoke|flag|error)-[a-z][\w-]*/;
    for (const sel of ['#access-detail', '#confirm-withdraw', '#confirm-revoke', '#flag-dialog']) {
      const text = plain($(sel).textContent);
      expect([sel, text.match(rawId)?.[0] ?? null]).toEqual([sel, null]);
    }
    expect(plain($('#sp-status').textContent)).toMatch(/[\u0600-\u06FF]/);
    expect(texts('#sp-receipts .receipt-kind')).toEqual(['أُوقفت المشاركة', 'مُنحت الموافقة']);
    // What is left to right stays so inside the mirrored page.
    expect(all<HTMLElement>('#sp-receipts pre.jws').every((p) => p.dir === 'ltr')).toBe(true);
  });

  it('shows a refused withdrawal as an alert and changes nothing', async () => {
    const { mock } = await openPage('demo-shop');
    const real = mock.invoke.bind(mock);
    vi.spyOn(mock, 'invoke').mockImplementation((cmd, args) => cmd === 'withdraw'
      ? Promise.reject({ error: 'invalid_input', message: 'this grant does not give "email" (it gives: given_name)' })
      : real(cmd, args));
    const entries = mock.entries.length;
    const stop = all('#sp-attributes .attr-item').find((li) => li.dataset.attribute === 'email')!.querySelector<HTMLButtonElement>('.stop-sharing')!;
    stop.click();
    $('#confirm-withdraw-yes').click();
    await waitFor(() => expect($('#sp-error').textContent).not.toBe(''));
    expect($('#sp-error').getAttribute('role')).toBe('alert');
    expect(plain($('#sp-error').textContent)).toBe('Something went wrong: this grant does not give "email" (it gives: given_name)');
    expect($('#confirm-withdraw').hasAttribute('open')).toBe(false);
    expect(document.activeElement).toBe(stop);
    expect(texts('#sp-attributes .attr-name')).toEqual(['given name', 'email']);
    expect($('#sp-withdrawn-block').hidden).toBe(true);
    expect(plain($('#sp-status').textContent)).toBe('');
    expect(all('#sp-receipts .receipt')).toHaveLength(1);
    expect(grantOf(mock, 'demo-shop')).toMatchObject({ attributes: ['given_name', 'email'], withdrawn: [] });
    expect(mock.entries).toHaveLength(entries);
  });
});

describe('the mock backend\'s withdraw', () => {
  it('refuses what the grant does not give and its last item, as the gateway does, changing nothing', async () => {
    const { app: a, mock } = await boot({ enrolled: true });
    app = a;
    const before = { entries: mock.entries.length, receipts: mock.receipts.length };
    const refused = (attributes: string[]) => mock.invoke('withdraw', { grantId: 'grant-demo-shop', attributes }).then(() => null, (e) => e);
    expect(await refused(['address'])).toMatchObject({ error: 'invalid_input', message: 'this grant does not give "address" (it gives: given_name, email)' });
    expect(await refused(['given_name', 'email'])).toMatchObject({ error: 'invalid_input', message: 'that is everything this grant gives: revoke the grant instead' });
    expect(await refused([])).toMatchObject({ error: 'invalid_input' });
    expect(await mock.invoke('withdraw', { grantId: 'grant-nope', attributes: ['email'] }).catch((e) => e)).toMatchObject({ error: 'no_such_grant' });
    expect({ entries: mock.entries.length, receipts: mock.receipts.length }).toEqual(before);
    expect(grantOf(mock, 'demo-shop')).toMatchObject({ attributes: ['given_name', 'email'], withdrawn: [] });

    const done = await mock.invoke('withdraw', { grantId: 'grant-demo-shop', attributes: ['given_name'] });
    expect(done).toEqual({ id: 'grant-demo-shop', attributes: ['email'], withdrawn: ['given_name'], receipt: mock.receipts.at(-1)!.id });
    // What is withdrawn is no longer given: withdrawing it again is refused.
    expect(await refused(['given_name'])).toMatchObject({ error: 'invalid_input' });
  });
});
