import { afterEach, describe, expect, it } from 'vitest';
import type { AppHandle } from '../src/app';
import type { ConsentCard } from '../src/bindings/ConsentCard';
import { setLocale } from '../src/i18n';
import { createMockBackend } from '../src/mock';
import { $, boot, plain, submit, type, waitFor } from './helpers';

let app: AppHandle | undefined;
afterEach(() => {
  app?.stop();
  app = undefined;
});

const cards = (sel: string) => [...document.querySelectorAll<HTMLElement>(sel)];

describe('consent', () => {
  it('lists pending requests, and approving removes the card with a status', async () => {
    const { app: a, mock } = await boot({ enrolled: true });
    app = a;
    await waitFor(() => expect(cards('.consent-card')).toHaveLength(2));
    const first = cards('.consent-card')[0];
    expect(first.querySelector('strong')!.textContent).toBe('Demo Shop');
    const lines = [...first.querySelectorAll('.prompt-lines .line')].map((l) => l.textContent);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((l) => l!.length <= 32)).toBe(true);
    expect($('#consent-badge').textContent).toBe('2');

    first.querySelector<HTMLButtonElement>('.approve')!.click();
    await waitFor(() => expect(cards('.consent-card')).toHaveLength(1));
    expect(plain($('#consent-status').textContent)).toBe('You approved the request from Demo Shop.');
    expect(mock.pending.map((p) => p.client_name)).not.toContain('Demo Shop');

    // A new request arrives by itself (the inbox loop is waiting on the mock).
    mock.addRequest('Bundesagentur für Arbeitsvermittlung und Weiterbildung', [{ name: 'email', value: 'm@example.org', group: 'contact' }]);
    await waitFor(() => expect(cards('.consent-card')).toHaveLength(2), { timeout: 5000 });
    expect(cards('.consent-card')[1].querySelector('strong')!.textContent).toContain('Bundesagentur');
  });

  it('shows the whole card on a large screen, and signs exactly the text it lays out', async () => {
    const mock = createMockBackend({ delayMs: 0, enrolled: true });
    mock.settings.display = 'desktop';
    const long = 'Caisse Régionale de Crédit Agricole Mutuel de Normandie-Seine';
    mock.addRequest(long, [
      { name: 'given_name', value: 'Marie', group: 'name' },
      { name: 'address', value: '11 rue Pierre et Marie Curie, 75005 Paris', group: 'address' },
    ]);
    ({ app } = await boot(mock));
    await waitFor(() => expect(cards('.consent-card .consent-rich').length).toBeGreaterThan(0));
    const card = cards('.consent-card').find((c) => c.textContent!.includes('Normandie'))!;
    const rich = card.querySelector('.consent-rich')!;
    // Nothing is cut: the whole name and every value, each attribute with its label.
    expect(plain(rich.querySelector('.rich-request')!.textContent)).toBe(`${long} asks for:`);
    const items = [...rich.querySelectorAll('.rich-attributes li')].map((li) => plain(li.textContent));
    expect(items).toEqual(['given nameMarie', 'address11 rue Pierre et Marie Curie, 75005 Paris']);
    expect(rich.querySelector('.rich-lifetime')!.textContent).toBe('Until you revoke it');
    expect(card.querySelector('.prompt-lines')).toBeNull();
    // The decision is signed over the card's canonical text: the laid-out items, one a line.
    const shown = [...rich.querySelectorAll('p, li')].map((el) => el.tagName === 'LI'
      ? [...el.children].map((c) => plain(c.textContent)).join(' = ')
      : plain(el.textContent));
    const inbox = await mock.invoke('inbox', { waitSeconds: 0 }) as ConsentCard[];
    const signed = inbox.find((c) => c.client_name === long)!.prompt;
    expect(plain(signed).split('\n')).toEqual(shown);
  });

  it('announces a new request with a desktop notification only while the window is in the background', async () => {
    const shown: { title: string, body?: string }[] = [];
    class FakeNotification {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      constructor(title: string, options?: { body?: string }) { shown.push({ title, body: options?.body }); }
    }
    const restore = { Notification: globalThis.Notification, hasFocus: document.hasFocus };
    Object.assign(globalThis, { Notification: FakeNotification });
    let focused = true;
    document.hasFocus = () => focused;
    try {
      const { app: a, mock } = await boot({ enrolled: true });
      app = a;
      await waitFor(() => expect(cards('.consent-card')).toHaveLength(2));
      expect(shown).toHaveLength(0); // the window has the focus: what is pending is on screen

      mock.addRequest('Demo Bank', [{ name: 'email', value: 'a@example.org', group: 'contact' }]);
      await waitFor(() => expect(cards('.consent-card')).toHaveLength(3), { timeout: 5000 });
      expect(shown).toHaveLength(0); // the user is looking at the window

      focused = false;
      mock.addRequest('Bundesagentur', [{ name: 'email', value: 'm@example.org', group: 'contact' }]);
      await waitFor(() => expect(shown).toHaveLength(1), { timeout: 5000 });
      expect(shown[0].title).toContain('Bundesagentur');
      expect(shown[0].body).toContain('m@example.org');
    } finally {
      Object.assign(globalThis, { Notification: restore.Notification });
      document.hasFocus = restore.hasFocus;
    }
  }, 15_000); // two arrivals, each up to one poll gap (MIN_POLL_GAP_MS) away

  it('shows an offline banner when the inbox fails', async () => {
    ({ app } = await boot({ enrolled: true, offline: true }));
    await waitFor(() => expect($('#consent-offline').textContent).toContain('Offline'));
    // Why, and what to do, in words; the technical cause behind a disclosure.
    expect($('#consent-offline .error-sentence').textContent).toBe('The gateway cannot be reached.');
    expect($('#consent-offline .error-action').textContent).toContain('Check your internet connection');
    expect($('#consent-offline details').textContent).toContain('could not connect');
  });
});

describe('access', () => {
  it('shows grants with localized attribute labels and revokes after confirmation', async () => {
    ({ app } = await boot({ enrolled: true }));
    app.show('access');
    await waitFor(() => expect(cards('.grant-card')).toHaveLength(3));
    const shop = $('.grant-card[data-client-id="demo-shop"]');
    expect([...shop.querySelectorAll('.chip.attribute')].map((c) => c.textContent)).toEqual(['given name', 'email']);
    const bank = $('.grant-card[data-client-id="masraf-alamal"]');
    expect(bank.textContent).toContain('never');

    shop.querySelector<HTMLButtonElement>('.revoke')!.click();
    expect($('#confirm-revoke').hasAttribute('open')).toBe(true);
    expect(plain($('#confirm-revoke-text').textContent)).toContain('Demo Shop will no longer get your data');
    $<HTMLButtonElement>('#confirm-revoke-yes').click();
    await waitFor(() => expect(cards('.grant-card')).toHaveLength(2));
    expect($('#confirm-revoke').hasAttribute('open')).toBe(false);
    expect(plain($('#access-status').textContent)).toBe('Demo Shop no longer has access.');
  });

  it('lists the devices, this one marked, and revokes another after confirmation', async () => {
    const { app: a, mock } = await boot({ enrolled: true });
    app = a;
    app.show('access');
    await waitFor(() => expect(cards('.device-card')).toHaveLength(3));
    const mine = $('.device-card[data-device-id="d-this"]');
    expect(mine.querySelector('.badge-this')!.textContent).toBe('this device');
    expect($('.device-card[data-device-id="d-old-phone"]').querySelector('.revoke-device')).toBeNull();
    expect(plain($('.device-card[data-device-id="d-old-phone"]').textContent)).toContain('revoked');

    const laptop = $('.device-card[data-device-id="d-laptop"]');
    laptop.querySelector<HTMLButtonElement>('.revoke-device')!.click();
    expect($('#confirm-device').hasAttribute('open')).toBe(true);
    expect(plain($('#confirm-device-text').textContent)).toContain('Work laptop will no longer receive or approve requests');
    $<HTMLButtonElement>('#confirm-device-no').click();
    expect(mock.devices.find((d) => d.id === 'd-laptop')!.status).toBe('active');

    laptop.querySelector<HTMLButtonElement>('.revoke-device')!.click();
    $<HTMLButtonElement>('#confirm-device-yes').click();
    await waitFor(() => expect($('.device-card[data-device-id="d-laptop"]').dataset.status).toBe('revoked'));
    expect($('#confirm-device').hasAttribute('open')).toBe(false);
    expect(plain($('#devices-status').textContent)).toBe('Work laptop can no longer approve anything.');
    expect(mock.devices.find((d) => d.id === 'd-laptop')!.status).toBe('revoked');
  });

  it('cancelling the confirmation keeps the grant; a report needs a reason', async () => {
    const { app: a, mock } = await boot({ enrolled: true });
    app = a;
    app.show('access');
    await waitFor(() => expect(cards('.grant-card')).toHaveLength(3));
    $('.grant-card .revoke').click();
    $<HTMLButtonElement>('#confirm-revoke-no').click();
    expect(cards('.grant-card')).toHaveLength(3);

    $('.grant-card[data-client-id="ba-weiterbildung"] .flag').click();
    expect($('#flag-dialog').hasAttribute('open')).toBe(true);
    submit($('#flag-form'));
    expect($('#flag-error').textContent).toBe('Describe the problem first.');
    expect($('#flag-dialog').hasAttribute('open')).toBe(true);
    type($('#flag-reason'), 'Asked for my address twice a day');
    submit($('#flag-form'));
    await waitFor(() => expect($('#flag-dialog').hasAttribute('open')).toBe(false));
    expect(mock.entries.at(-1)).toMatchObject({ kind: 'sp_flagged', sp: 'ba-weiterbildung' });
    expect(JSON.parse(mock.entries.at(-1)!.detail)).toMatchObject({ reason: 'Asked for my address twice a day' });
    expect(plain($('#access-status').textContent)).toContain('was sent');
  });
});

describe('history', () => {
  it('lists entries, draws the chart, verifies, filters and exports', async () => {
    ({ app } = await boot({ enrolled: true }));
    app.show('history');
    await waitFor(() => expect($('#history-verify').textContent).toMatch(/^✓ The history verifies: \d+ entries, each linked to the one before\. The gateway signed that its whole trail reached entry \d+\.$/));
    const rows = cards('#history-list tbody tr');
    expect(rows.length).toBeGreaterThan(20);
    expect(document.querySelectorAll('#history-chart rect.bar').length).toBeGreaterThan(5);
    expect(cards('#history-legend li').map((li) => li.querySelector('.legend-name')!.textContent))
      .toEqual(expect.arrayContaining(['Demo Shop', 'Bundesagentur für Arbeitsvermittlung und Weiterbildung']));
    const spOptions = [...$<HTMLSelectElement>('#filter-sp').options].map((o) => o.value);
    expect(spOptions).toEqual(expect.arrayContaining(['', 'demo-shop', 'ba-weiterbildung', 'masraf-alamal']));

    const kind = $<HTMLSelectElement>('#filter-kind');
    kind.value = 'consent';
    kind.dispatchEvent(new Event('change'));
    await waitFor(() => expect(cards('#history-list tbody tr').every((r) => r.dataset.kind === 'consent')).toBe(true));
    // The chart still shows accesses.
    expect(document.querySelectorAll('#history-chart rect.bar').length).toBeGreaterThan(5);

    const sp = $<HTMLSelectElement>('#filter-sp');
    sp.value = 'demo-shop';
    sp.dispatchEvent(new Event('change'));
    await waitFor(() => expect(cards('#history-legend li')).toHaveLength(1));
    expect([...sp.options].length).toBe(spOptions.length);

    $('#history-export').click();
    await waitFor(() => expect($('#history-export-result').textContent).toMatch(/^Saved to \/home\/.+\.json$/));
  });

  it('says each entry in words, with the details behind a disclosure', async () => {
    ({ app } = await boot({ enrolled: true }));
    app.show('history');
    await waitFor(() => expect(cards('#history-list tbody tr').length).toBeGreaterThan(20));
    const rows = cards('#history-list tbody tr');
    // Two columns: when, and what happened; no raw JSON, identifiers or dashes in the rows' words.
    expect([...$('#history-list thead tr').children].map((th) => th.textContent)).toEqual(['Time', 'Event']);
    for (const row of rows) {
      const said = plain(row.querySelector('.sentence')!.textContent);
      expect(said).toMatch(/^[^a-z].*\.$/);
      for (const bad of ['{', '_', ' - ', '—', 'demo-shop', 'masraf-alamal']) expect(said).not.toContain(bad);
    }
    const sentences = rows.map((r) => plain(r.querySelector('.sentence')!.textContent));
    expect(sentences).toContain('You allowed Demo Shop to use your data until you withdraw it.');
    expect(sentences).toContain('You approved Demo Shop\'s request in the app.');
    expect(sentences).toContain('Demo Shop read your given name and email.');
    expect(sentences).toContain('A new device was added to your account.');
    expect(sentences.some((x) => /^Reminder: Bundesagentur für Arbeitsvermittlung und Weiterbildung's access ends on \d+ \w+\.$/.test(x))).toBe(true);

    // The details: closed at first, a real <summary> (keyboard reachable), the recorded facts.
    const consent = rows.find((r) => r.dataset.kind === 'consent' && r.textContent!.includes('Demo Shop'))!;
    const details = consent.querySelector('details')!;
    expect(details.open).toBe(false);
    const summary = details.querySelector('summary')!;
    expect(summary.textContent).toBe('Details');
    summary.click();
    expect(details.open).toBe(true);
    const facts = Object.fromEntries([...details.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling!.textContent]));
    expect(facts).toMatchObject({ Kind: 'Consents you gave', Service: 'demo-shop', Scope: 'openid mc_vm_share', Authenticator: 'app' });
    expect(facts.Entry).toBe(consent.dataset.seq);
    expect(JSON.parse(facts['Recorded detail']!)).toMatchObject({ kind: 'long_lived' });
    expect(facts.Hash).toMatch(/^[0-9a-f]{64}$/);

    // The kind filter in words.
    const kinds = Object.fromEntries([...$<HTMLSelectElement>('#filter-kind').options].map((o) => [o.value, o.textContent]));
    expect(kinds).toMatchObject({ '': 'All', consent: 'Consents you gave', resource_access: 'Data used by services', admin: 'Your account and devices' });
    expect(Object.keys(kinds)).toHaveLength(13);

    // In Arabic: the same entries in Arabic sentences, the SP's name isolated.
    setLocale('ar');
    const arabic = cards('#history-list tbody tr').map((r) => r.querySelector('.sentence')!);
    expect(arabic.map((p) => p.textContent)).toContain('قرأ Demo Shop بياناتك هذه: الاسم الأول والبريد الإلكتروني.');
    expect(arabic.find((p) => p.textContent!.startsWith('قرأ Demo Shop'))!.querySelector('bdi')!.textContent).toBe('Demo Shop');
    expect($<HTMLSelectElement>('#filter-kind').options[1].textContent).toBe('بيانات استخدمتها الخدمات');
  });

  it('says plainly when the history does not verify', async () => {
    ({ app } = await boot({ enrolled: true, brokenHistory: true }));
    app.show('history');
    await waitFor(() => expect($('#history-verify').textContent).toMatch(/^✗ The history does NOT verify: entry \d+ does not link/));
    expect($('#history-verify').classList.contains('bad')).toBe(true);
  });
});

describe('settings', () => {
  it('fills the form, previews the prompt on phone and USSD, and reports errors', async () => {
    const { app: a, mock } = await boot({ enrolled: true });
    app = a;
    app.show('settings');
    expect($<HTMLInputElement>('#settings-gateway').value).toBe('https://gateway.assent.test');
    await waitFor(() => expect($('#preview-phone').textContent).toContain('Demo Shop'));
    expect($('#preview-ussd').textContent).toContain('1 Yes / 2 No');
    expect($('#preview-phone').textContent).toContain('Yes / No');

    type($('#settings-gateway'), 'gateway.example');
    submit($('#settings-form'));
    expect($('#settings-error').textContent).toContain('https://');
    expect($('#settings-gateway').getAttribute('aria-invalid')).toBe('true');

    type($('#settings-gateway'), 'https://gw.example.org');
    type($('#settings-ca'), '/etc/assent/ca.txt');
    submit($('#settings-form'));
    await waitFor(() => expect($('#settings-error').textContent).toContain('not a PEM file'));

    type($('#settings-ca'), '/etc/assent/ca.pem');
    $<HTMLSelectElement>('#settings-display').value = 'desktop';
    submit($('#settings-form'));
    await waitFor(() => expect($('#settings-status').textContent).toBe('Settings saved.'));
    expect(mock.settings).toEqual({ gateway_url: 'https://gw.example.org', ca_file: '/etc/assent/ca.pem', locale: 'en', display: 'desktop' });
  });
});
