// Small shared pieces: status badges (shape + word, never colour alone), banners, toasts.

import { h, mount } from "./dom.js";
import { ITEM_STATES, CHECK_STATES } from "./model.js";

/** A badge for an item/topic state (ITEM_STATES key). */
export function stateBadge(state, extra = "") {
  const s = ITEM_STATES[state] || ITEM_STATES.not_started;
  return h("span", { class: `badge state-${state}`, "data-state": state },
    h("span", { class: "badge-icon", "aria-hidden": "true", text: s.icon }),
    h("span", { class: "badge-word", text: extra ? `${s.word} · ${extra}` : s.word }));
}

/** A badge for a check result status (CHECK_STATES key). */
export function checkBadge(status) {
  const s = CHECK_STATES[status] || CHECK_STATES.unknown;
  return h("span", { class: `badge check-${status}`, "data-status": status },
    h("span", { class: "badge-icon", "aria-hidden": "true", text: s.icon }),
    h("span", { class: "badge-word", text: s.word }));
}

/** What to do next for an error kind, so no error is a dead end (null: the message says it). */
const NEXT_STEPS = {
  invalid_input: "Check the field and try again.",
  keychain_unavailable: "Lockstep keeps tokens only in the system keychain. Checks that need no token still run.",
  keychain_locked: null,
  keychain: "Nothing was saved anywhere else. Try again in a moment.",
  io: "Check that the folder exists and Lockstep can write there, then try again.",
  corrupt: "The file was left as it was; nothing was overwritten.",
  no_home: "Lockstep needs a home folder to keep your progress. Start it again from your own user account.",
  internal: null,
  unavailable: "The rest of Lockstep still works.",
  no_app: "Open Lockstep from your applications menu.",
};
const DEFAULT_NEXT = "If it keeps happening, restart Lockstep; your answers are saved as you go.";

/** A calm banner for {kind, message}; `onRetry` adds a Try again button, `next` overrides the next step. */
export function errorBanner(err, { onRetry, onDismiss, next: nextOverride, copy } = {}) {
  const kind = err?.kind || "error";
  const message = err?.message || String(err);
  const next = nextOverride || (kind in NEXT_STEPS ? NEXT_STEPS[kind] : DEFAULT_NEXT);
  const banner = h("div", { class: "banner banner-error", role: "alert", "data-kind": kind },
    h("div", { class: "banner-body" },
      h("p", { class: "banner-title", text: message }),
      next ? h("p", { class: "banner-next", text: next }) : null),
    h("div", { class: "banner-actions" },
      onRetry ? h("button", { type: "button", class: "btn", text: "Try again", onclick: onRetry }) : null,
      copy ? h("button", {
        type: "button", class: "btn", text: "Copy link",
        onclick: async (e) => {
          try {
            await navigator.clipboard.writeText(copy);
            e.target.textContent = "Link copied";
          } catch {
            e.target.textContent = "Copying is not allowed here";
          }
        },
      }) : null,
      h("button", {
        type: "button", class: "btn btn-quiet", text: "Dismiss",
        onclick: () => { banner.remove(); onDismiss?.(); },
      })));
  return banner;
}

/** A neutral information banner with optional actions [{label, onClick, primary, action}]. */
export function infoBanner(title, body, actions = [], { kind = "info", id } = {}) {
  return h("div", { class: `banner banner-${kind}`, role: "status", id },
    h("div", { class: "banner-body" },
      h("p", { class: "banner-title", text: title }),
      body ? h("p", { class: "banner-next", text: body }) : null),
    actions.length
      ? h("div", { class: "banner-actions" }, actions.map((a) =>
        h("button", { type: "button", class: a.primary ? "btn btn-primary" : "btn btn-quiet", "data-action": a.action, text: a.label, onclick: a.onClick })))
      : null);
}

let toastTimer = null;
/** A short confirmation in the polite live region. */
export function toast(message) {
  const region = document.getElementById("toasts");
  if (!region) return;
  mount(region, h("div", { class: "toast", text: message }));
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => region.replaceChildren(), 5000);
}

let announceTimer = null;
/**
 * Tells screen readers about something that changed on screen without moving focus (a check
 * finishing while the screen redraws). The region lives outside the redrawn screens, so it is
 * never replaced mid-announcement; a quick series of calls announces the latest.
 */
export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => { region.textContent = message; }, 150);
}

/** An external link; main.js routes clicks on https links to the system browser. */
export function extLink(url, label, cls = "ext") {
  return h("a", { href: url, class: cls, title: `Opens ${hostOf(url)} in your browser` },
    label, h("span", { class: "ext-mark", "aria-hidden": "true", text: " ↗" }),
    h("span", { class: "visually-hidden", text: " (opens in your browser)" }));
}

export function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Screen heading block. */
export function screenHeader(title, lead, ...actions) {
  return h("header", { class: "screen-header" },
    h("div", {},
      h("h1", { id: "screen-title", tabindex: "-1", text: title }),
      lead ? h("p", { class: "lead", text: lead }) : null),
    actions.length ? h("div", { class: "screen-actions" }, actions) : null);
}

const SINGLE_KEYS = "lockstep.singleKeyShortcuts";

/** Whether one-key shortcuts (j/k) are on; the user can turn them off (WCAG 2.1.4). */
export function singleKeysOn() {
  try {
    return localStorage.getItem(SINGLE_KEYS) !== "off";
  } catch {
    return true;
  }
}

/** A small switch for the one-key shortcuts; `onChange` redraws whatever shows them. */
export function singleKeysToggle(onChange) {
  const box = h("input", {
    type: "checkbox", id: "single-keys", checked: singleKeysOn(),
    onchange: () => {
      try {
        localStorage.setItem(SINGLE_KEYS, box.checked ? "on" : "off");
      } catch {
        // Without storage the choice lasts until the window closes.
      }
      onChange?.();
    },
  });
  return h("label", { class: "check-label inline", for: "single-keys" }, box, " One-key shortcuts (j, k)");
}
