import { afterEach, describe, expect, it } from 'vitest';
import type { AppHandle } from '../src/app';
import { MOCK_CODE } from '../src/mock';
import { $, boot, plain, submit, type, waitFor } from './helpers';

let app: AppHandle | undefined;
afterEach(() => app?.stop());

const visible = (sel: string) => !$(sel).hidden;
const stepStates = () => [...document.querySelectorAll<HTMLLIElement>('#enroll-steps li')]
  .map((li) => `${li.dataset.step}:${li.classList.contains('done') ? 'done' : li.classList.contains('current') ? 'current' : '-'}`);

describe('onboarding against the mock', () => {
  it('number → awaiting code → code → enrolled, then the consent screen', async () => {
    ({ app } = await boot());
    expect(visible('#screen-onboarding')).toBe(true);
    expect(visible('#nav-consent')).toBe(false);
    expect(visible('#code-form')).toBe(false);
    const code = $<HTMLInputElement>('#code');
    expect(code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(code.getAttribute('inputmode')).toBe('numeric');
    expect($<HTMLInputElement>('#number').type).toBe('tel');

    type($('#number'), '+33 6 12 34 56 78');
    $<HTMLButtonElement>('#enroll-start').click();

    await waitFor(() => expect(visible('#code-form')).toBe(true));
    expect(visible('#code-from-simulator')).toBe(true);
    expect(plain($('#code-sent').textContent)).toBe('A code was sent to +33 6 12 34 56 78.');
    expect(stepStates()).toEqual(['account:done', 'ordered:done', 'code_sent:done', 'validated:current', 'certified:-', 'registered:-']);
    expect(document.activeElement).toBe(code);

    type(code, `Your code is ${MOCK_CODE}`);
    submit($('#code-form'));

    await waitFor(() => expect(app!.current()).toBe('consent'));
    expect(stepStates().every((s) => s.endsWith(':done'))).toBe(true);
    expect(visible('#screen-onboarding')).toBe(false);
    expect(visible('#screen-consent')).toBe(true);
    expect(visible('#nav-consent')).toBe(true);
    expect(visible('#nav-onboarding')).toBe(false);
    expect(plain($('#enrolled-banner').textContent)).toMatch(/^Verified: \+33 6 12 34 56 78\. Your certificate is valid until .+\d{4}\.$/);
  });

  it('renews this device: the date it opens, then a fresh code keeps the same device', async () => {
    const { app: a, mock } = await boot({ enrolled: true });
    app = a;
    await waitFor(() => expect(app!.current()).toBe('consent'));
    expect(visible('#renew-line')).toBe(true);
    expect(plain($('#renew-text').textContent)).toMatch(/^Renewal opens on .+\d{4}: this device then proves your number again/);
    const device = mock.enrollment!.device_id;

    $<HTMLButtonElement>('#renew-button').click();
    await waitFor(() => expect(app!.current()).toBe('onboarding'));
    expect(visible('#code-form')).toBe(true);
    expect(mock.enrollment!.renewing).toBe(true);
    type($('#code'), `Your code is ${MOCK_CODE}`);
    submit($('#code-form'));
    await waitFor(() => expect(app!.current()).toBe('consent'));
    expect(mock.enrollment!.device_id).toBe(device);
    expect(mock.enrollment!.renewing).toBe(false);
    expect(visible('#renew-line')).toBe(true);
  });

  it('shows the backend message for a wrong code, and a sentence of its own for an unreadable one', async () => {
    ({ app } = await boot());
    type($('#number'), '+33612345678');
    submit($('#enroll-form'));
    await waitFor(() => expect(visible('#code-form')).toBe(true));

    type($('#code'), '654321');
    submit($('#code-form'));
    await waitFor(() => expect($('#onboarding-error').dataset.error).toBe('number_verification'));
    expect($('#onboarding-error').textContent).toBe('the code is wrong; 2 tries left');
    expect($('#onboarding-error').getAttribute('role')).toBe('alert');
    expect($('#code').getAttribute('aria-invalid')).toBe('true');

    type($('#code'), 'hello, no digits here');
    submit($('#code-form'));
    await waitFor(() => expect($('#onboarding-error').dataset.error).toBe('code'));
    expect($('#onboarding-error').textContent).toBe('Could not read a code from that text. the text has no code in it');

    $<HTMLButtonElement>('#code-from-simulator').click();
    await waitFor(() => expect(app!.current()).toBe('consent'));
    expect($('#onboarding-error').textContent).toBe('');
  });

  it('refuses a malformed number and an empty one', async () => {
    ({ app } = await boot());
    submit($('#enroll-form'));
    expect($('#onboarding-error').textContent).toBe('Enter your phone number.');
    type($('#number'), '0612');
    submit($('#enroll-form'));
    await waitFor(() => expect($('#onboarding-error').dataset.error).toBe('usage'));
    expect($('#onboarding-error').textContent).toContain('international format');
    expect(visible('#code-form')).toBe(false);
  });

  it('resumes at the code when the backend is waiting for one', async () => {
    const { app: a, mock } = await boot();
    app = a;
    type($('#number'), '+33612345678');
    submit($('#enroll-form'));
    await waitFor(() => expect(visible('#code-form')).toBe(true));
    app.stop();
    // A restart of the app: same backend, new page.
    ({ app } = await boot(mock));
    expect(mock.enrollment?.step).toBe('code_sent');
    expect(visible('#code-form')).toBe(true);
    expect(visible('#enroll-form')).toBe(false);
    expect($<HTMLInputElement>('#number').value).toBe('+33612345678');
    expect(stepStates().slice(0, 4)).toEqual(['account:done', 'ordered:done', 'code_sent:done', 'validated:current']);
  });

  it('says in words that no keyring can be reached, what to do, and keeps the cause behind a disclosure', async () => {
    ({ app } = await boot({ noKeyring: true }));
    const error = $('#onboarding-error');
    expect(error.querySelector('.error-sentence')!.textContent).toBe("No keyring could be reached to keep this device's keys.");
    expect(error.querySelector('.error-action')!.textContent).toMatch(/^Start your session's keyring .*then try again\.$/);
    const details = error.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(details.querySelector('summary')!.textContent).toBe('Technical details');
    expect(details.textContent).toContain('zbus error');
    // The sentence comes first, not the platform's words.
    expect(error.textContent).not.toMatch(/^(Platform failure|Something went wrong)/);
  });
});
