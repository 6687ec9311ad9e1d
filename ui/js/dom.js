// Tiny DOM helpers. Text always goes in through textContent, never innerHTML.

/**
 * Builds an element. `attrs` keys: `class`, `text`, `on<event>` (listeners),
 * `hidden`/`disabled`/`checked`/`value` (properties), anything else as an attribute
 * (skipped when null/undefined/false). Children may be nodes, strings or arrays.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (key === "text") el.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "hidden" || key === "disabled" || key === "checked" || key === "value") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** A fresh id for label/aria wiring. */
export function newId(prefix = "id") {
  uid += 1;
  return `${prefix}-${uid}`;
}

// Made on first use: a formatter loads ICU's locale data into the page (about 3 MiB of the
// web process), which a first screen without a date never needs.
let dateFmt = null;
let dateTimeFmt = null;

/** "25 Nov 2026" from an RFC 3339 timestamp or a YYYY-MM-DD day; "" when absent. */
export function fmtDate(value) {
  if (!value) return "";
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00`) : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  dateFmt ??= new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });
  return dateFmt.format(d);
}

export function fmtDateTime(value) {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  dateTimeFmt ??= new Intl.DateTimeFormat(undefined, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
  });
  return dateTimeFmt.format(d);
}

/** "1 item" / "3 items". */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A selector that finds `el` again after its screen is redrawn: its id, else its data-*
 * attributes (a row's summary by its row's check id).
 */
function focusSelector(el) {
  if (!el || el === document.body) return null;
  if (el.id) return `#${CSS.escape(el.id)}`;
  if (el.tagName === "SUMMARY") {
    const row = el.closest("[data-check-id]");
    return row ? `[data-check-id="${CSS.escape(row.dataset.checkId)}"] > summary` : null;
  }
  // The first data-* attribute names the control (data-run-group, data-item-id); later ones
  // may describe its state, which the redraw changes.
  const attr = [...el.attributes].find((a) => a.name.startsWith("data-"));
  if (!attr) return null;
  return `${el.tagName.toLowerCase()}[${attr.name}="${CSS.escape(attr.value)}"]`;
}

/**
 * Runs `redraw` (which replaces what is inside `root`) and gives the keyboard focus back to
 * the control that had it, so a redraw never drops the user to the top of the page.
 */
export function keepFocus(root, redraw, fallback = null) {
  const active = document.activeElement;
  const selector = active && root.contains(active) ? focusSelector(active) : null;
  const result = redraw();
  if (selector && !root.contains(document.activeElement)) {
    // A control that went away (Cancel, once the run ended) hands focus to `fallback`.
    const target = root.querySelector(selector) || (fallback && root.querySelector(fallback));
    target?.focus({ preventScroll: true });
  }
  return result;
}
