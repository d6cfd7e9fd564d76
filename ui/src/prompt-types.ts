// The JSON shapes of the `render_prompt` command (assent_prompt::wire), as the
// current preview uses them. Not in bindings/ because they are not generated (yet).

export type DeviceKind = 'phone' | 'ussd' | 'sms' | 'screen';
export type Encoding = 'gsm7' | 'ucs2' | 'utf8';

export type WireAttribute = { name: string, value: string | null, group: string | null };

export type WireDevice = {
  kind: DeviceKind,
  columns: number | null,
  rows: number | null,
  max_bytes: number | null,
  encodings: Array<Encoding> | null,
};

export type RenderRequest = {
  client_name: string,
  locale: string,
  attributes: Array<WireAttribute>,
  device: WireDevice,
  ask_assurance: boolean,
  presentation: 'auto' | 'names_values' | 'names' | 'groups',
};

export type RenderResponse = {
  text: string,
  flat: string,
  lines: Array<string>,
  presentation: string,
  assurance: boolean,
  encoding: Encoding,
  bytes: number,
  packed_bytes: number,
  units: number,
  segments: number,
  client_name_truncated: boolean,
};

/** The phone authenticator's display profile (as in the current preview). */
export const PHONE_DEVICE: WireDevice = {
  kind: 'phone', columns: 32, rows: 8, max_bytes: 220, encodings: ['gsm7', 'ucs2', 'utf8'],
};

/** USSD: one interaction; the renderer knows its size. */
export const USSD_DEVICE: WireDevice = {
  kind: 'ussd', columns: null, rows: null, max_bytes: null, encodings: ['gsm7', 'ucs2'],
};
