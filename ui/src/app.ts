// The shell: which screen shows, the navigation, and start-up (settings → language →
// enrollment status → onboarding or the app).
import { showError } from './errors';
import * as api from './api';
import type { Settings } from './bindings/Settings';
import { byId, setStatus, setText, show } from './dom';
import { formatIsoDate, onLocaleChange, setLocale, t } from './i18n';
import { initAccess } from './screens/access';
import { initConsent } from './screens/consent';
import { initHistory } from './screens/history';
import { type Enrolled, initOnboarding } from './screens/onboarding';
import { initSettings } from './screens/settings';

export const SCREENS = ['onboarding', 'consent', 'access', 'history', 'settings'] as const;
export type ScreenName = (typeof SCREENS)[number];

export type AppHandle = {
  show(name: ScreenName): void;
  current(): ScreenName;
  /** Stops the inbox loop and every listener (tests). */
  stop(): void;
};

const DEFAULT_SETTINGS: Settings = { gateway_url: null, ca_file: null, locale: null, display: 'phone' };

export async function startApp(): Promise<AppHandle> {
  let current: ScreenName = 'onboarding';
  const baseTitle = document.title || 'Assent';

  const consent = initConsent((n) => {
    const badge = byId('consent-badge');
    badge.textContent = n > 0 ? String(n) : '';
    show(badge, n > 0);
    document.title = n > 0 ? `(${n}) ${baseTitle}` : baseTitle;
  });
  const access = initAccess();
  const history = initHistory();
  const settings = initSettings((s) => {
    setLocale(s.locale);
    consent.reload();
    void settings.preview();
  });

  let enrolled: Enrolled | null = null;
  const writeBanner = (): void => {
    setText(byId('enrolled-banner'), enrolled
      ? t('onboarding-verified', { number: enrolled.number, expires: formatIsoDate(enrolled.certificate_expires) })
        + (enrolled.pending_approval ? ` ${t('onboarding-pending-approval')}` : '')
      : '');
    // Renewal: a fresh proof of the number keeps this device (its id and history) alive;
    // due a third of the certificate's lifetime before it expires.
    const renewFrom = enrolled?.renew_from;
    show(byId('renew-line'), Boolean(renewFrom));
    if (enrolled && renewFrom) {
      const due = Date.parse(renewFrom) <= Date.now();
      const line = byId('renew-line');
      line.classList.toggle('warn', due);
      setText(byId('renew-text'), due
        ? t('renew-due', { expires: formatIsoDate(enrolled.certificate_expires) })
        : t('renew-later', { from: formatIsoDate(renewFrom) }));
    }
  };
  const onboarding = initOnboarding((e: Enrolled) => {
    enrolled = e;
    writeBanner();
    enterApp(true);
  });
  // Messages about past actions were written in the old language: the banner is written
  // again, the one-line results of past actions are cleared.
  onLocaleChange(() => {
    writeBanner();
    for (const id of ['consent-status', 'access-status', 'history-export-result']) setStatus(byId(id), '');
  });

  function showScreen(name: ScreenName, focusHeading = false): void {
    current = name;
    for (const s of SCREENS) {
      show(byId(`screen-${s}`), s === name);
      const button = byId(`nav-${s}`);
      if (s === name) button.setAttribute('aria-current', 'page');
      else button.removeAttribute('aria-current');
    }
    if (name === 'access') void access.open();
    if (name === 'history') void history.load().then(() => history.verify());
    if (name === 'settings') void settings.preview();
    if (focusHeading) byId(`screen-${name}`).querySelector<HTMLElement>('h1')?.focus();
  }

  function setEnrolled(on: boolean): void {
    show(byId('nav-onboarding'), !on);
    for (const s of ['consent', 'access', 'history'] as const) show(byId(`nav-${s}`), on);
  }

  function enterApp(focus: boolean): void {
    setEnrolled(true);
    consent.start();
    showScreen('consent', focus);
  }

  for (const s of SCREENS) {
    byId(`nav-${s}`).addEventListener('click', () => showScreen(s));
  }

  byId<HTMLButtonElement>('renew-button').addEventListener('click', async () => {
    const button = byId<HTMLButtonElement>('renew-button');
    button.disabled = true;
    try {
      const r = await api.enrollRenew();
      // The code form of the onboarding screen takes the SMS; enrolled again, the app returns.
      if (r.status === 'awaiting_code') {
        onboarding.show({ number: r.number, step: 'code_sent' });
        showScreen('onboarding', true);
      } else {
        enrolled = r;
        writeBanner();
      }
    } catch (e) {
      showError(byId('consent-status'), api.toApiError(e));
    } finally {
      button.disabled = false;
    }
  });

  // Start-up. A backend that fails here still gets the onboarding screen, with the error.
  let loaded = DEFAULT_SETTINGS;
  try {
    loaded = await api.settingsGet();
  } catch { /* defaults */ }
  setLocale(loaded.locale);
  settings.fill(loaded);

  // A screen named in the URL's fragment (#history…) opens first: handy in dev and e2e tests.
  const wanted = SCREENS.find((s) => `#${s}` === location.hash);
  try {
    const state = await api.enrollmentStatus();
    if (state?.step === 'registered') {
      if (state.device_id && state.certificate_expires) {
        enrolled = {
          status: 'enrolled', number: state.number, device_id: state.device_id,
          certificate_expires: state.certificate_expires, renew_from: state.renew_from ?? '',
          pending_approval: state.pending_approval,
        };
        writeBanner();
      }
      enterApp(false);
      if (wanted && wanted !== 'onboarding') showScreen(wanted);
    } else {
      setEnrolled(false);
      onboarding.show(state);
      showScreen(wanted === 'settings' ? 'settings' : 'onboarding');
    }
  } catch (e) {
    setEnrolled(false);
    onboarding.show(null);
    showScreen('onboarding');
    showError(byId('onboarding-error'), api.toApiError(e));
  }

  // End-to-end tests wait for this: before it, every screen is still hidden.
  document.documentElement.dataset.app = 'ready';

  return {
    show: (name) => showScreen(name),
    current: () => current,
    stop() {
      consent.dispose();
      access.dispose();
      history.dispose();
      onboarding.dispose();
    },
  };
}
