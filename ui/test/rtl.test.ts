import { afterEach, describe, expect, it } from 'vitest';
import type { AppHandle } from '../src/app';
import { bidiNodes, setText } from '../src/dom';
import { attrLabel, setLocale, t } from '../src/i18n';
import { $, boot, plain, submit, waitFor } from './helpers';

let app: AppHandle | undefined;
afterEach(() => {
  app?.stop();
  app = undefined;
  setLocale('en');
});

describe('language and direction', () => {
  it('setLocale("ar") sets dir=rtl and lang=ar on <html>, and back', () => {
    setLocale('ar');
    expect(document.documentElement.dir).toBe('rtl');
    expect(document.documentElement.lang).toBe('ar');
    setLocale('de-DE');
    expect(document.documentElement.dir).toBe('ltr');
    expect(document.documentElement.lang).toBe('de');
    setLocale('xx');
    expect(document.documentElement.lang).toBe('en');
    setLocale(null);
    expect(document.documentElement.lang).toBe('en');
  });

  it('switches to Japanese and Hindi left to right, with the prompt renderer\'s labels', () => {
    setLocale('ja-JP');
    expect([document.documentElement.lang, document.documentElement.dir]).toEqual(['ja', 'ltr']);
    expect(t('nav-history')).toBe('履歴');
    expect(attrLabel('given_name')).toBe('名');
    expect(t('onboarding-code-sent', { number: '+81 90 1234 5678' })).toBe('+81 90 1234 5678 にコードを送信しました。');
    setLocale('hi-IN');
    expect([document.documentElement.lang, document.documentElement.dir]).toEqual(['hi', 'ltr']);
    expect(t('nav-history')).toBe('इतिहास');
    expect(attrLabel('given_name')).toBe('पहला नाम');
    expect(t('consent-approved', { client: 'Demo Shop' })).toBe('आपने Demo Shop का अनुरोध स्वीकार किया।');
  });

  it('starts in Japanese when settings.locale is ja, with it chosen in the list', async () => {
    ({ app } = await boot({ enrolled: true, locale: 'ja' }));
    expect(document.documentElement.lang).toBe('ja');
    expect($('#nav-history').textContent!.trim()).toBe('履歴');
    expect($<HTMLSelectElement>('#settings-locale').value).toBe('ja');
    expect($('#settings-locale').querySelector('option[value="ja"]')!.textContent).toBe('日本語');
  });

  it('puts every isolated run in a <bdi> of the same direction', () => {
    setLocale('ar');
    const p = document.createElement('p');
    setText(p, t('onboarding-code-sent', { number: '+447700900001' }));
    const bdi = p.querySelectorAll('bdi');
    expect(bdi).toHaveLength(1);
    expect(bdi[0].dir).toBe('ltr');
    expect(bdi[0].textContent).toBe('+447700900001');
    expect(p.textContent).not.toMatch(/[\u2066-\u2069]/);
    expect(p.textContent).toContain('+447700900001');

    // FSI is direction-by-content (no dir); RLI is rtl; nested runs nest; an unclosed run
    // closes at the end; a stray PDI is kept as text.
    const nodes = bidiNodes('a \u2068b \u2067c\u2069\u2069 \u2066d\u2069 e \u2066f');
    const wrap = document.createElement('div');
    wrap.append(...nodes);
    expect(wrap.innerHTML).toBe('a <bdi>b <bdi dir="rtl">c</bdi></bdi> <bdi dir="ltr">d</bdi> e <bdi dir="ltr">f</bdi>');
    wrap.replaceChildren(...bidiNodes('x\u2069y'));
    expect(wrap.textContent).toBe('x\u2069y');
  });

  it('isolates SP names where directions mix, and leaves Latin in Latin alone', () => {
    setLocale('en');
    expect(t('consent-approved', { client: 'Demo Shop' })).toBe('You approved the request from Demo Shop.');
    expect(t('consent-approved', { client: 'مصرف' })).toBe('You approved the request from \u2068مصرف\u2069.');
    setLocale('ar');
    expect(t('consent-approved', { client: 'Demo Shop' })).toBe('وافقت على طلب \u2068Demo Shop\u2069.');
  });

  it('keeps a phone number left to right in a right-to-left sentence', () => {
    setLocale('ar');
    const text = t('onboarding-verified', { number: '+447700900001', expires: '2026-12-27' });
    expect(text).toContain('\u2066+447700900001\u2069');
  });

  it('starts in the language of settings.locale', async () => {
    const { createMockBackend } = await import('../src/mock');
    const mock = createMockBackend({ enrolled: true });
    mock.settings.locale = 'ar';
    ({ app } = await boot(mock));
    expect(document.documentElement.dir).toBe('rtl');
    expect($('#nav-history').textContent!.trim()).toBe('السجل');
    expect($('#settings-locale').querySelector('option[value="ar"]')!.textContent).toBe('العربية');
  });

  it('says so when a request does not fit the phone in Arabic and is shown as sent', async () => {
    const { app: a, mock } = await boot({ enrolled: true, locale: 'ar' });
    app = a;
    await waitFor(() => expect(document.querySelectorAll('.consent-card')).toHaveLength(2));
    // A request that fits is shown in Arabic, without the note.
    const fitting = [...document.querySelectorAll<HTMLElement>('.consent-card')]
      .filter((c) => c.querySelector<HTMLElement>('.prompt-lines')!.dir === 'rtl');
    expect(fitting.length).toBeGreaterThan(0);
    expect(fitting.every((c) => c.querySelector('.as-sent') === null)).toBe(true);
    // Within a phone's 220 bytes in English (GSM 7-bit), not in Arabic (UCS-2).
    mock.addRequest('Agence Emploi', [
      { name: 'email', value: 'marie.curie@example.org', group: 'contact' },
      { name: 'address', value: 'Rue de la Paix 1, 75002 Paris', group: 'address' },
    ]);
    await waitFor(() => expect(document.querySelectorAll('.consent-card')).toHaveLength(3), { timeout: 5000 });
    const card = [...document.querySelectorAll<HTMLElement>('.consent-card')].find((c) => c.textContent!.includes('Agence Emploi'))!;
    expect(card.querySelector('.as-sent')!.textContent).toBe(t('consent-as-sent'));
    expect(card.querySelector<HTMLElement>('.prompt-lines')!.dir).toBe('ltr');
  }, 10_000);

  it('does not show a request over the phone\'s 220 bytes even as sent, and offers only deny', async () => {
    const { app: a, mock } = await boot({ enrolled: true, locale: 'ar' });
    app = a;
    await waitFor(() => expect(document.querySelectorAll('.consent-card')).toHaveLength(2));
    const many = ['given_name', 'family_name', 'email', 'phone_number', 'address', 'birthdate', 'locality', 'postal_code']
      .map((name) => ({ name, value: `${name} of Marie Salomea Skłodowska-Curie, Paris`, group: 'contact' }));
    mock.addRequest('Bundesagentur für Arbeitsvermittlung und Weiterbildung', many);
    await waitFor(() => expect(document.querySelectorAll('.consent-card')).toHaveLength(3), { timeout: 5000 });
    const card = [...document.querySelectorAll<HTMLElement>('.consent-card')].find((c) => c.textContent!.includes('Bundesagentur'))!;
    expect(card.querySelector('.too-long')!.textContent).toBe(t('consent-too-long'));
    expect(card.querySelectorAll('.prompt-lines .line')).toHaveLength(0);
    expect(card.querySelector('.approve')).toBeNull();
    expect(card.querySelector('.deny')).not.toBeNull();
  }, 10_000);

  it('saving the language in settings switches the whole page', async () => {
    ({ app } = await boot({ enrolled: true }));
    app.show('settings');
    $<HTMLSelectElement>('#settings-locale').value = 'ar';
    submit($('#settings-form'));
    await waitFor(() => expect(document.documentElement.dir).toBe('rtl'));
    expect($('#settings-save').textContent).toBe('حفظ');
    expect($('#nav-consent').querySelector('.nav-label')!.textContent).toBe('الطلبات');
    expect(plain($('#settings-status').textContent)).toBe('حُفظت الإعدادات.');
    // The pending requests are asked for again, rendered by the core in the new language.
    await waitFor(() => expect([...document.querySelectorAll('.consent-card .prompt-lines')]
      .some((p) => p.getAttribute('lang') === 'ar')).toBe(true), { timeout: 5000 });
    await waitFor(() => expect($('#preview-phone').dir).toBe('rtl'));
    $<HTMLSelectElement>('#settings-locale').value = 'fr';
    submit($('#settings-form'));
    await waitFor(() => expect(document.documentElement.dir).toBe('ltr'));
    expect($('#nav-access').textContent!.trim()).toBe('Accès');
  });
});
