// Failures in words. A failure the user can act on (a keyring missing or locked, the
// gateway out of reach, this device's certificate expired) carries a `reason`: the UI says
// it in the user's language with the action to take (`error-<reason>` and its `.action` in
// ui/locales), and keeps the technical cause behind a disclosure. Any other failure is
// the generic sentence with the backend's own words.
import type { ApiError } from './api';
import { h } from './dom';
import { hasMessage, t, tAttr } from './i18n';

/** The words of a failure, as nodes for a status line or an alert. */
export function errorNodes(e: ApiError): Node[] {
  const id = e.reason ? `error-${e.reason}` : null;
  if (!id || !hasMessage(id)) return [h('span', {}, t('error-generic', { message: e.message }))];
  const action = tAttr(id, 'action');
  return [
    h('strong', { class: 'error-sentence' }, t(id)),
    ...(action ? [document.createTextNode(' '), h('span', { class: 'error-action' }, action)] : []),
    h('details', { class: 'error-cause' },
      h('summary', {}, t('error-details')),
      h('span', { class: 'cause', dir: 'ltr' }, e.cause ?? e.message)),
  ];
}

/** Shows a failure in `el` (a status line): its words, marked as an error. */
export function showError(el: HTMLElement, e: ApiError, ...before: (Node | string)[]): void {
  // Strings before the failure's words ("Offline. Trying again…") go in as text.
  el.replaceChildren(...before, ...errorNodes(e));
  el.classList.remove('ok', 'info');
  el.classList.add('error');
}
