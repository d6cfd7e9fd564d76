// Live preview of the consent prompt renderer. The only call into Rust is the
// `render_prompt` command (same JSON as `assent prompt render`).
const PROFILES = {
  phone: { kind: "phone", columns: 32, rows: 8, max_bytes: 220, encodings: ["gsm7", "ucs2", "utf8"] },
  ussd: { kind: "ussd", columns: 30, rows: 8, encodings: ["gsm7", "ucs2"] },
  sms: { kind: "sms", columns: 40, rows: 8, max_bytes: 160, encodings: ["gsm7", "ucs2"] },
  screen: { kind: "screen", columns: 60, rows: 12, encodings: ["gsm7", "ucs2", "utf8"] },
};
// Marie Curie from the demo data.
const ATTRIBUTES = [
  { name: "given_name", value: "Marie", group: "name", on: true },
  { name: "family_name", value: "Curie", group: "name", on: true },
  { name: "email", value: "marie.curie@example.org", group: "contact", on: true },
  { name: "birthdate", value: "1967-11-07", group: "birthdate", on: false },
  { name: "street_address", value: "1 Rue Pierre", group: "address", on: false },
  { name: "postal_code", value: "75005", group: "address", on: false },
  { name: "locality", value: "Paris", group: "address", on: false },
];

const $ = (id) => document.getElementById(id);

function buildAttributeInputs() {
  const box = $("attributes");
  ATTRIBUTES.forEach((a, i) => {
    const label = document.createElement("label");
    label.className = "check";
    const check = document.createElement("input");
    check.type = "checkbox"; check.checked = a.on; check.id = `attr-${i}`;
    const value = document.createElement("input");
    value.value = a.value; value.id = `value-${i}`; value.setAttribute("aria-label", `${a.name} value`);
    label.append(check, ` ${a.name} `, value);
    box.append(label);
  });
}

function request() {
  return {
    client_name: $("client").value,
    locale: $("locale").value,
    attributes: ATTRIBUTES.flatMap((a, i) =>
      $(`attr-${i}`).checked ? [{ name: a.name, value: $(`value-${i}`).value, group: a.group }] : []),
    device: PROFILES[$("profile").value],
    ask_assurance: $("assurance").checked,
    presentation: $("presentation").value,
  };
}

function show(facts) {
  const dl = $("facts");
  dl.replaceChildren();
  for (const [k, v] of facts) {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = v; dd.dataset.fact = k;
    dl.append(dt, dd);
  }
}

async function render() {
  const out = $("prompt");
  try {
    const r = await window.__TAURI__.core.invoke("render_prompt", { request: request() });
    out.className = "device";
    out.dir = $("locale").value === "ar" ? "rtl" : "ltr";
    out.textContent = r.text;
    show([["presentation", r.presentation], ["assurance", r.assurance ? "included" : "left out"],
      ["encoding", r.encoding], ["bytes", `${r.bytes} (${r.packed_bytes} packed)`],
      ["units", r.units], ["segments", r.segments], ["lines", r.lines.length],
      ["SP name cut", r.client_name_truncated ? "yes (16 bytes max)" : "no"]]);
  } catch (e) {
    out.className = "device error";
    out.textContent = e && e.message ? e.message : (e.message ?? JSON.stringify(e));
    show([["error", e.error ?? "unknown"]]);
  }
}

buildAttributeInputs();
$("request").addEventListener("input", render);
$("request").addEventListener("change", render);
render();
