// 3. Access: one card per SP holding a grant; revoke (with a confirmation dialog)
// and report ("flag") an SP.
import { showError } from '../errors';
import * as api from '../api';
import type { DeviceInfo } from '../bindings/DeviceInfo';
import type { Grant } from '../bindings/Grant';
import { byId, closeDialog, h, openDialog, setStatus, setText, show } from '../dom';
import { attrLabel, formatIsoDate, onLocaleChange, t } from '../i18n';
import { rememberSpNames } from '../state';

export type Access = { load(): Promise<void>, dispose(): void };

export function initAccess(): Access {
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

  function row(label: string, value: Node | string): HTMLElement[] {
    return [h('dt', {}, label), h('dd', {}, value)];
  }

  function renderCard(g: Grant): HTMLElement {
    const titleId = `grant-title-${g.id}`;
    const revoke = h('button', { class: 'btn danger revoke', type: 'button', 'aria-describedby': titleId }, t('access-revoke'));
    const flag = h('button', { class: 'btn flag', type: 'button', 'aria-describedby': titleId }, t('access-flag'));
    revoke.addEventListener('click', () => openRevoke(g, revoke));
    flag.addEventListener('click', () => openFlag(g, flag));
    const chips = (items: string[], cls: string, label: (x: string) => string) => items.length
      ? h('ul', { class: 'chips' }, ...items.map((x) => h('li', { class: `chip ${cls}`, dir: 'auto' }, label(x))))
      : '—';
    return h('article', { class: 'card grant-card', 'data-client-id': g.client_id, 'data-grant-id': g.id, 'aria-labelledby': titleId },
      h('h2', { class: 'card-title', id: titleId }, h('bdi', {}, g.client_name)),
      h('dl', { class: 'facts-list' },
        ...row(t('access-services'), chips(g.services, 'service', (x) => x)),
        ...row(t('access-attributes'), chips(g.attributes, 'attribute', attrLabel)),
        ...row(t('access-since'), formatIsoDate(g.granted_at)),
        ...row(t('access-last-used'), g.last_used ? formatIsoDate(g.last_used, true) : t('access-never'))),
      h('div', { class: 'actions' }, revoke, flag));
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
      render();
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
      finish(confirm, byId('access-heading'));
      setStatus(status, t('access-revoked', { client: grant.client_name }), 'ok');
      await load();
    } catch (e) {
      finish(confirm);
      showError(status, api.toApiError(e));
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
      setStatus(status, t('access-flagged', { client: grant.client_name }), 'ok');
    } catch (e) {
      setStatus(flagError, api.toApiError(e).message, 'error');
    } finally {
      send.disabled = false;
    }
  });
  // Esc closes a modal dialog natively; forget the target then too.
  for (const d of [confirm, flagDialog]) d.addEventListener('close', () => { target = null; });

  const offLocale = onLocaleChange(render);
  return { load, dispose: offLocale };
}
