// 1. Onboarding: number → SMS code → certificate. The stepper follows the backend's
// `enroll-progress` events; every failure lands in #onboarding-error.
import * as api from '../api';
import { errorNodes } from '../errors';
import type { Enrollment } from '../bindings/Enrollment';
import type { EnrollmentState } from '../bindings/EnrollmentState';
import type { Step } from '../bindings/Step';
import { byId, h, setStatus, setText, show } from '../dom';
import { onLocaleChange, t } from '../i18n';

export const STEPS: readonly Step[] = ['account', 'ordered', 'code_sent', 'validated', 'certified', 'registered'];

export type Enrolled = Extract<Enrollment, { status: 'enrolled' }>;

export type Onboarding = {
  /** Shows the state the backend has (null: never started). */
  show(state: Pick<EnrollmentState, 'number' | 'step'> | null): void;
  dispose(): void;
};

export function initOnboarding(onEnrolled: (e: Enrolled) => void): Onboarding {
  const numberForm = byId<HTMLFormElement>('enroll-form');
  const number = byId<HTMLInputElement>('number');
  const codeForm = byId<HTMLFormElement>('code-form');
  const code = byId<HTMLInputElement>('code');
  const codeSent = byId('code-sent');
  const simulator = byId<HTMLButtonElement>('code-from-simulator');
  const busy = byId('onboarding-busy');
  const error = byId('onboarding-error');
  const items = [...byId('enroll-steps').querySelectorAll<HTMLLIElement>('li')];

  let step: Step | null = null;
  let awaitingNumber: string | null = null;

  function setStep(next: Step | null): void {
    step = next;
    const done = next ? STEPS.indexOf(next) : -1;
    items.forEach((li, i) => {
      const current = i === done + 1;
      li.classList.toggle('done', i <= done);
      li.classList.toggle('current', current);
      if (current) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
      li.querySelector('.step-state')!.textContent = i <= done ? ` (${t('step-done')})` : current ? ` (${t('step-current')})` : '';
    });
  }

  function setBusy(on: boolean): void {
    for (const el of [...numberForm.elements, ...codeForm.elements] as HTMLButtonElement[]) el.disabled = on;
    setStatus(busy, on ? t('working') : '');
  }

  function clearError(): void {
    error.replaceChildren();
    delete error.dataset.error;
    for (const field of [number, code]) {
      field.removeAttribute('aria-invalid');
      field.setAttribute('aria-describedby', `${field.id}-hint`);
    }
  }

  function showError(e: api.ApiError, field: HTMLInputElement): void {
    // A failure the user can act on is said in words with what to do (the cause behind a
    // disclosure); otherwise the backend's message, some codes with a sentence of ours first.
    const lead = e.error === 'code' ? t('error-code') : e.error === 'keyring' ? t('error-keyring') : null;
    if (e.reason) error.replaceChildren(...errorNodes(e));
    else error.replaceChildren(...(lead ? [h('strong', {}, lead), ' '] : []), h('span', { class: 'error-detail' }, e.message));
    error.dataset.error = e.error;
    // Nothing in the field is wrong when the keyring or the network is.
    if (e.error !== 'keyring' && !e.reason) {
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', `onboarding-error ${field.id}-hint`);
      field.focus();
    }
  }

  function awaitCode(forNumber: string): void {
    awaitingNumber = forNumber;
    if (!step || STEPS.indexOf(step) < STEPS.indexOf('code_sent')) setStep('code_sent');
    show(numberForm, false);
    show(codeForm, true);
    setText(codeSent, t('onboarding-code-sent', { number: forNumber }));
    code.focus();
  }

  async function run(action: () => Promise<Enrollment>, field: HTMLInputElement): Promise<void> {
    clearError();
    setBusy(true);
    try {
      const r = await action();
      setBusy(false);
      if (r.status === 'awaiting_code') awaitCode(r.number);
      else {
        setStep('registered');
        onEnrolled(r);
      }
    } catch (e) {
      setBusy(false);
      showError(api.toApiError(e), field);
    }
  }

  numberForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = number.value.trim();
    if (!value) {
      showError(new api.ApiError('empty', t('error-number-empty')), number);
      return;
    }
    void run(() => api.enrollStart(value), number);
  });

  codeForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = code.value.trim();
    if (!value) {
      showError(new api.ApiError('empty', t('error-code-empty')), code);
      return;
    }
    void run(() => api.enrollCode(value), code);
  });

  simulator.addEventListener('click', () => void run(() => api.enrollFromSimulator(), code));

  let unlisten: (() => void) | null = null;
  let disposed = false;
  void api.onEnrollProgress((s) => setStep(s)).then((u) => (disposed ? u() : (unlisten = u)));
  const offLocale = onLocaleChange(() => {
    setStep(step);
    if (awaitingNumber) setText(codeSent, t('onboarding-code-sent', { number: awaitingNumber }));
  });

  return {
    show(state) {
      clearError();
      setStep(state?.step ?? null);
      if (state?.number) number.value = state.number;
      if (state?.step === 'code_sent') awaitCode(state.number);
      else {
        show(numberForm, true);
        show(codeForm, false);
      }
    },
    dispose() {
      disposed = true;
      unlisten?.();
      offLocale();
    },
  };
}
