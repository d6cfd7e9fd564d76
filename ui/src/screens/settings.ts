// 5. Settings: gateway, CA file, language, display profile; and a preview of a sample
// prompt on a phone authenticator and on USSD (the render_prompt command).
import * as api from '../api';
import type { Display } from '../bindings/Display';
import type { Settings } from '../bindings/Settings';
import { byId, setStatus, setText } from '../dom';
import { t } from '../i18n';
import { normalizeLocale, RTL_LOCALES } from '../locales';
import type { RenderRequest } from '../bindings/RenderRequest';
import type { WireDevice } from '../bindings/WireDevice';
import { PHONE_DEVICE, USSD_DEVICE } from '../devices';

export type SettingsScreen = { fill(s: Settings): void, preview(): Promise<void> };

/** The sample prompt: Demo Shop asks for a given name and an email address. */
export function sampleRequest(locale: string, device: WireDevice): RenderRequest {
  return {
    client_name: 'Demo Shop',
    locale,
    attributes: [
      { name: 'given_name', value: 'Marie', group: 'name' },
      { name: 'email', value: 'marie@example.org', group: 'contact' },
    ],
    device,
    ask_assurance: true,
    presentation: 'auto',
  };
}

const blank = (s: string) => (s.trim() === '' ? null : s.trim());

export function initSettings(onSaved: (s: Settings) => void): SettingsScreen {
  const form = byId<HTMLFormElement>('settings-form');
  const gateway = byId<HTMLInputElement>('settings-gateway');
  const ca = byId<HTMLInputElement>('settings-ca');
  const localeSelect = byId<HTMLSelectElement>('settings-locale');
  const display = byId<HTMLSelectElement>('settings-display');
  const save = byId<HTMLButtonElement>('settings-save');
  const status = byId('settings-status');
  const error = byId('settings-error');

  function fill(s: Settings): void {
    gateway.value = s.gateway_url ?? '';
    ca.value = s.ca_file ?? '';
    localeSelect.value = normalizeLocale(s.locale);
    display.value = s.display;
  }

  async function previewOne(device: WireDevice, out: HTMLElement, facts: HTMLElement): Promise<void> {
    const locale = localeSelect.value;
    out.lang = locale;
    out.dir = RTL_LOCALES.has(normalizeLocale(locale)) ? 'rtl' : 'ltr';
    try {
      const r = await api.renderPrompt(sampleRequest(locale, device));
      out.classList.remove('error');
      out.textContent = r.text;
      setText(facts, t('preview-facts', { encoding: r.encoding, bytes: r.bytes }));
    } catch (e) {
      out.classList.add('error');
      out.textContent = api.toApiError(e).message;
      facts.textContent = '';
    }
  }

  function preview(): Promise<void> {
    return Promise.all([
      previewOne(PHONE_DEVICE, byId('preview-phone'), byId('preview-phone-facts')),
      previewOne(USSD_DEVICE, byId('preview-ussd'), byId('preview-ussd-facts')),
    ]).then(() => undefined);
  }

  localeSelect.addEventListener('change', () => void preview());

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    setStatus(status, '');
    setStatus(error, '');
    gateway.removeAttribute('aria-invalid');
    const url = blank(gateway.value);
    if (url !== null && !/^https?:\/\/\S+$/i.test(url)) {
      setStatus(error, t('settings-bad-url'), 'error');
      gateway.setAttribute('aria-invalid', 'true');
      gateway.focus();
      return;
    }
    const next: Settings = {
      gateway_url: url,
      ca_file: blank(ca.value),
      locale: localeSelect.value,
      display: display.value as Display,
    };
    save.disabled = true;
    try {
      const saved = await api.settingsSet(next);
      fill(saved);
      onSaved(saved); // may switch the language: the status below is then in the new one
      setStatus(status, t('settings-saved'), 'ok');
    } catch (e) {
      setStatus(error, api.toApiError(e).message, 'error');
    } finally {
      save.disabled = false;
    }
  });

  return { fill, preview };
}
