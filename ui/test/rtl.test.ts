import { afterEach, describe, expect, it } from 'vitest';
import type { AppHandle } from '../src/app';
import { setLocale, t } from '../src/i18n';
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

  it('saving the language in settings switches the whole page', async () => {
    ({ app } = await boot({ enrolled: true }));
    app.show('settings');
    $<HTMLSelectElement>('#settings-locale').value = 'ar';
    submit($('#settings-form'));
    await waitFor(() => expect(document.documentElement.dir).toBe('rtl'));
    expect($('#settings-save').textContent).toBe('حفظ');
    expect($('#nav-consent').querySelector('.nav-label')!.textContent).toBe('الطلبات');
    expect(plain($('#settings-status').textContent)).toBe('حُفظت الإعدادات.');
    await waitFor(() => expect($('#preview-phone').dir).toBe('rtl'));
    $<HTMLSelectElement>('#settings-locale').value = 'fr';
    submit($('#settings-form'));
    await waitFor(() => expect(document.documentElement.dir).toBe('ltr'));
    expect($('#nav-access').textContent!.trim()).toBe('Accès');
  });
});
