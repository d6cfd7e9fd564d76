// 3. Access: one card per SP holding a grant; revoke (with a confirmation dialog)
// and report ("flag") an SP; a card's Details opens the SP's page (./sp.ts) in place of
// the list.
import { showError } from '../errors';
import * as api from '../api';
import type { DeviceInfo } from '../bindings/DeviceInfo';
import type { Grant } from '../bindings/Grant';
import { byId, closeDialog, h, openDialog, setStatus, setText, show } from '../dom';
import { attrLabel, formatIsoDate, onLocaleChange, t } from '../i18n';
import { rememberSpNames } from '../state';
import { initSpPage } from './sp';

/** A week: when the gateway reminds the user that a consent ends. */
const ENDS_SOON_MS = 7 * 86_400_000;

export type Access = {
  /** Loads the grants and devices again, keeping what is shown (the list or an SP's page). */
  load(): Promise<void>,
  /** Entering the screen: the list, loaded again. */
  open(): Promise<void>,
  dispose(): void,
};

export function initAccess(): Access {
  const overview = byId('access-overview');
  const detail = byId('access-detail');
  const list = byId('access-list');
  const empty = byId('access-empty');
  const status = byId('access-status');
  const confirm = byId<HTMLDialogElement>('confirm-revoke');
  const confirmText = byId('confirm-revoke-text');
  const confirmYes = byId<HTMLButtonElement>('confirm-revoke-yes');
  const flagDialog = byId<HTMLDialogElement>('flag-dialog');
  const flagForm = byId<HTMLFormElement>('flag-form');
  const flagText = byId('flag-text');
  const flagReason = byId<HTMLTextAreaElement>('flag-reason');
  const flagError = byId('flag-error');
  const deviceList = byId('devices-list');
  const deviceStatus = byId('devices-status');
  const confirmDevice = byId<HTMLDialogElement>('confirm-device');
  const confirmDeviceText = byId('confirm-device-text');
  const confirmDeviceYes = byId<HTMLButtonElement>('confirm-device-yes');
  let grants: Grant[] = [];
  let devices: DeviceInfo[] = [];
  /** The device the open revocation dialog is about, and the button that opened it. */
  let deviceTarget: { device: DeviceInfo, opener: HTMLElement } | null = null;
  /** The grant the open dialog is about, and the button that opened it (focus returns there). */
  let target: { grant: Grant, opener: HTMLElement } | null = null;
  /** The grant whose page is shown instead of the list, if any. */
  let detailId: string | null = null;

  const page = initSpPage({
    reload: () => load(),
    back: () => showList(true),
    revokeAll: (grant, opener) => openRevoke(grant, opener),
    report: (grant, opener) => openFlag(grant, opener),
  });

  function openDetail(grant: Grant): void {
    detailId = grant.id;
    show(overview, false);
    show(detail, true);
    void page.open(grant);
  }

  /** Back to the list; `focusCard`: to the Details button of the SP just seen. */
  function showList(focusCard: boolean): void {
    const was = detailId;
    detailId = null;
    page.close();
    show(detail, false);
    show(overview, true);
    if (!focusCard) return;
    const card = [...list.querySelectorAll<HTMLElement>('.grant-card')].find((c) => c.dataset.grantId === was);
    (card?.querySelector<HTMLElement>('.details') ?? byId('access-heading')).focus();
  }

  /** A result line where the user is: the SP's page or the list. */
  function report(text: string, tone: 'ok' | 'error'): void {
    if (detailId) {
      if (tone === 'error') page.error(text);
      else page.status(text, tone);
    } else {
      setStatus(status, text, tone);
    }
  }

  function row(label: string, value: Node | string): HTMLElement[] {
    return [h('dt', {}, label), h('dd', {}, value)];
  }

  function renderCard(g: Grant): HTMLElement {
    const titleId = `grant-title-${g.id}`;
    const details = h('button', { class: 'btn details', type: 'button', 'aria-describedby': titleId }, t('access-details'));
    details.addEventListener('click', () => openDetail(g));
    const revoke = h('button', { class: 'btn danger revoke', type: 'button', 'aria-describedby': titleId }, t('access-revoke'));
    const flag = h('button', { class: 'btn flag', type: 'button', 'aria-describedby': titleId }, t('access-flag'));
    revoke.addEventListener('click', () => openRevoke(g, revoke));
    flag.addEventListener('click', () => openFlag(g, flag));
    const chips = (items: string[], cls: string, label: (x: string) => string) => items.length
      ? h('ul', { class: 'chips' }, ...items.map((x) => h('li', { class: `chip ${cls}`, dir: 'auto' }, label(x))))
      : '—';
    // The gateway reminds the user a week before a consent ends; the card says it too.
    const endsSoon = g.expires_at !== null && Date.parse(g.expires_at) - Date.now() <= ENDS_SOON_MS;
    return h('article', { class: 'card grant-card', 'data-client-id': g.client_id, 'data-grant-id': g.id, 'aria-labelledby': titleId },
      h('h2', { class: 'card-title', id: titleId }, h('bdi', {}, g.client_name)),
      endsSoon && g.expires_at
        ? h('p', { class: 'banner warn ends-soon' }, t('access-ends-soon', { date: formatIsoDate(g.expires_at) }))
        : null,
      h('dl', { class: 'facts-list' },
        ...row(t('access-services'), chips(g.services, 'service', (x) => x)),
        ...row(t('access-attributes'), chips(g.attributes, 'attribute', attrLabel)),
        ...row(t('access-since'), formatIsoDate(g.granted_at)),
        ...row(t('access-last-used'), g.last_used ? formatIsoDate(g.last_used, true) : t('access-never')),
        // When the consent ends by itself (the catalog's lifetime), or that it does not.
        ...row(t('sp-ends'), g.expires_at ? formatIsoDate(g.expires_at) : t('sp-ends-revoke'))),
      h('div', { class: 'actions' }, details, revoke, flag));
  }

  /** One device: its name, state and dates; every device but a revoked one can be revoked. */
  function renderDevice(d: DeviceInfo): HTMLElement {
    const titleId = `device-title-${d.id}`;
    const title = h('h3', { class: 'card-title', id: titleId }, h('bdi', {}, d.name));
    if (d.this_device) title.append(' ', h('span', { class: 'badge-this' }, t('devices-this')));
    const card = h('article', { class: 'card device-card', 'data-device-id': d.id, 'data-status': d.status, 'aria-labelledby': titleId },
      title,
      h('dl', { class: 'facts-list' },
        ...row(t('devices-state'), t(`devices-status-${d.status}`)),
        ...row(t('devices-registered'), formatIsoDate(d.registered_at)),
        ...row(d.status === 'revoked' ? t('devices-revoked-on') : t('devices-expires'),
          formatIsoDate(d.status === 'revoked' && d.revoked_at ? d.revoked_at : d.expires_at))));
    if (d.status !== 'revoked') {
      const revoke = h('button', { class: 'btn danger revoke-device', type: 'button', 'aria-describedby': titleId }, t('devices-revoke'));
      revoke.addEventListener('click', () => openRevokeDevice(d, revoke));
      card.append(h('div', { class: 'actions' }, revoke));
    }
    return card;
  }

  function render(): void {
    list.replaceChildren(...grants.map(renderCard));
    show(empty, grants.length === 0);
    deviceList.replaceChildren(...devices.map(renderDevice));
    if (detailId) {
      const shown = grants.find((g) => g.id === detailId);
      if (shown) {
        page.update(shown);
      } else {
        // Gone meanwhile (revoked elsewhere, ended): back to the list, the focus with it.
        const focusWasThere = detail.contains(document.activeElement);
        showList(false);
        if (focusWasThere) byId('access-heading').focus();
      }
    }
  }

  async function load(): Promise<void> {
    list.setAttribute('aria-busy', 'true');
    try {
      grants = await api.grants();
      rememberSpNames(grants);
      render();
    } catch (e) {
      showError(status, api.toApiError(e));
    } finally {
      list.removeAttribute('aria-busy');
    }
    try {
      devices = await api.devices();
      // Only the devices: the grant cards (and a focus or a click on one) stay as they are.
      deviceList.replaceChildren(...devices.map(renderDevice));
    } catch (e) {
      showError(deviceStatus, api.toApiError(e));
    }
  }

  function openRevokeDevice(device: DeviceInfo, opener: HTMLElement): void {
    deviceTarget = { device, opener };
    setText(confirmDeviceText, t(device.this_device ? 'device-revoke-this-text' : 'device-revoke-text', { name: device.name }));
    openDialog(confirmDevice);
    byId('confirm-device-no').focus();
  }

  function finishDevice(focus?: HTMLElement): void {
    closeDialog(confirmDevice);
    (focus ?? deviceTarget?.opener)?.focus();
    deviceTarget = null;
  }

  byId('confirm-device-no').addEventListener('click', () => finishDevice());
  confirmDeviceYes.addEventListener('click', async () => {
    if (!deviceTarget) return;
    const { device } = deviceTarget;
    confirmDeviceYes.disabled = true;
    try {
      await api.revokeDevice(device.id);
      finishDevice(byId('devices-heading'));
      setStatus(deviceStatus, t('devices-revoked', { name: device.name }), 'ok');
      if (!device.this_device) await load();
    } catch (e) {
      finishDevice();
      showError(deviceStatus, api.toApiError(e));
    } finally {
      confirmDeviceYes.disabled = false;
    }
  });
  confirmDevice.addEventListener('close', () => { deviceTarget = null; });

  function openRevoke(grant: Grant, opener: HTMLElement): void {
    target = { grant, opener };
    setText(confirmText, t('revoke-text', { client: grant.client_name }));
    openDialog(confirm);
    byId('confirm-revoke-no').focus();
  }

  function openFlag(grant: Grant, opener: HTMLElement): void {
    target = { grant, opener };
    setText(flagText, t('flag-text', { client: grant.client_name }));
    flagReason.value = '';
    flagReason.removeAttribute('aria-invalid');
    setStatus(flagError, '');
    openDialog(flagDialog);
    flagReason.focus();
  }

  function finish(dialog: HTMLDialogElement, focus?: HTMLElement): void {
    closeDialog(dialog);
    (focus ?? target?.opener)?.focus();
    target = null;
  }

  byId('confirm-revoke-no').addEventListener('click', () => finish(confirm));
  confirmYes.addEventListener('click', async () => {
    if (!target) return;
    const { grant } = target;
    confirmYes.disabled = true;
    try {
      await api.revoke(grant.id);
      // Revoked from its page: the page has nothing left to show, back to the list.
      if (detailId === grant.id) showList(false);
      finish(confirm, byId('access-heading'));
      setStatus(status, t('access-revoked', { client: grant.client_name }), 'ok');
      await load();
    } catch (e) {
      finish(confirm);
      if (detailId) report(t('error-generic', { message: api.toApiError(e).message }), 'error');
      else showError(status, api.toApiError(e));
    } finally {
      confirmYes.disabled = false;
    }
  });

  byId('flag-cancel').addEventListener('click', () => finish(flagDialog));
  flagForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!target) return;
    const reason = flagReason.value.trim();
    if (!reason) {
      flagReason.setAttribute('aria-invalid', 'true');
      setStatus(flagError, t('flag-reason-empty'), 'error');
      flagReason.focus();
      return;
    }
    const { grant } = target;
    const send = byId<HTMLButtonElement>('flag-send');
    send.disabled = true;
    try {
      await api.flag(grant.client_id, reason);
      finish(flagDialog);
      report(t('access-flagged', { client: grant.client_name }), 'ok');
    } catch (e) {
      setStatus(flagError, api.toApiError(e).message, 'error');
    } finally {
      send.disabled = false;
    }
  });
  // Esc closes a modal dialog natively; forget the target then too.
  for (const d of [confirm, flagDialog]) d.addEventListener('close', () => { target = null; });

  byId('access-refresh').addEventListener('click', () => void load());

  // Past results were worded in the old language: the page's line is cleared (the list's is by the shell).
  const offLocale = onLocaleChange(() => {
    page.status('');
    render();
  });
  return {
    load,
    async open() {
      if (detailId) showList(false);
      await load();
    },
    dispose() {
      offLocale();
      page.dispose();
    },
  };
}
