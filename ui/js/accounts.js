// Accounts & tokens: handles, server addresses, which tokens are saved (never the token
// itself), what they can do, the least scope Lockstep needs; PyPI projects, emails, interval.

import { h, mount, fmtDate, newId } from "./dom.js";
import * as ipc from "./ipc.js";
import { screenHeader, extLink } from "./widgets.js";

const ACCOUNT_PLATFORMS = [
  ["github", "GitHub", true],
  ["gitlab", "GitLab", true],
  ["npm", "npm", false],
  ["pypi", "PyPI", false],
  ["rubygems", "RubyGems", false],
  ["crates", "crates.io", false],
];

export function render(root, ctx) {
  const view = { root, ctx, tokens: null, alive: true };
  draw(view);
  loadTokens(view);
  return () => { view.alive = false; };
}

async function loadTokens(view) {
  try {
    view.tokens = await ipc.listTokens();
  } catch (err) {
    view.tokens = [];
    if (view.alive) view.ctx.showError(err);
  }
  // Reading the keychain can take a while; if the user has moved on, leave their screen alone.
  if (view.alive) draw(view);
}

function tokenFor(view, platform) {
  return (view.tokens || []).find((t) => t.platform === platform) || null;
}

/** The keychain error every platform shares (the keychain itself could not be read), if so. */
function sharedKeychainError(view) {
  const errors = (view.tokens || []).map((t) => t.error || "");
  return errors.length > 1 && errors[0] && errors.every((e) => e === errors[0]) ? errors[0] : null;
}

function draw(view) {
  const settings = view.ctx.snapshot.state.settings || {};
  const keychainError = sharedKeychainError(view);
  const form = h("form", { class: "settings-form", id: "settings-form", onsubmit: (e) => { e.preventDefault(); save(view, form); } },
    h("div", { class: "platform-grid" }, ACCOUNT_PLATFORMS.map(([id, name, hasUrl]) => platformCard(view, id, name, hasUrl, settings))),
    h("section", { class: "card", "aria-labelledby": "more-h" },
      h("h2", { id: "more-h", text: "Projects, emails and reviews" }),
      textField("pypi-projects", "PyPI projects you maintain", "PyPI has no way to list them for Lockstep, so name them here, one per line.", (settings.pypi_projects || []).join("\n")),
      textField("emails", "Email addresses your accounts use", "One per line. Lockstep checks that their domains will not lapse; nothing is sent anywhere unless you turn on the breach check below.", (settings.emails || []).join("\n")),
      h("div", { class: "field" },
        h("label", { for: "review-interval", text: "Days between periodic reviews" }),
        h("input", { type: "number", id: "review-interval", min: "7", max: "365", value: String(settings.review_interval_days ?? 90), class: "narrow-input" }))),
    breachCard(view, settings),
    h("div", { class: "button-row sticky-actions" },
      h("button", { type: "submit", class: "btn btn-primary", id: "save-settings", text: "Save settings" }),
      h("span", { class: "muted", text: "Tokens are saved separately, straight into your system keychain." })));
  mount(view.root, h("section", { class: "screen", id: "accounts" },
    screenHeader("Accounts & tokens", "Tokens let Lockstep read your account settings. They live only in your system keychain and are never shown again after you save them."),
    keychainError ? h("p", { class: "inline-note", id: "keychain-note", role: "status" },
      h("strong", { text: "Your system keychain could not be read. " }), keychainError) : null,
    form));
}

function textField(id, label, hint, value) {
  const hintId = newId("hint");
  return h("div", { class: "field" },
    h("label", { for: id, text: label }),
    h("textarea", { id, rows: "3", "aria-describedby": hintId, value, spellcheck: "false" }),
    h("p", { class: "field-hint", id: hintId, text: hint }));
}

function platformCard(view, id, name, hasUrl, settings) {
  const account = settings.accounts?.[id] || {};
  return h("section", { class: "card platform-card", "data-platform": id, "aria-labelledby": `p-${id}` },
    h("h2", { id: `p-${id}`, text: name }),
    h("div", { class: "field" },
      h("label", { for: `user-${id}`, text: id === "crates" ? "Your crates.io username (not your GitHub login)" : "Your user name" }),
      h("input", { type: "text", id: `user-${id}`, "data-account": id, "data-field": "user", value: account.user || "", autocomplete: "off", spellcheck: "false", placeholder: id === "github" || id === "gitlab" || id === "npm" ? "found from the token if left empty" : "" })),
    hasUrl ? h("div", { class: "field" },
      h("label", { for: `url-${id}`, text: id === "github" ? "API address (GitHub Enterprise only)" : "Address (self-managed GitLab only)" }),
      h("input", { type: "url", id: `url-${id}`, "data-account": id, "data-field": "base_url", value: account.base_url || "", spellcheck: "false", placeholder: id === "github" ? "https://api.github.com" : "https://gitlab.com" })) : null,
    tokenBlock(view, id, name));
}

function tokenBlock(view, platform, name) {
  const info = tokenFor(view, platform);
  if (view.tokens === null) return h("p", { class: "muted", "data-token-for": platform, text: "Looking in your keychain…" });
  const inputId = `token-${platform}`;
  const block = h("div", { class: "token-block", "data-token-for": platform, "data-token-saved": info?.saved ? "true" : "false" });
  if (info?.error && info.error !== sharedKeychainError(view)) block.append(h("p", { class: "inline-note", role: "status", text: info.error }));
  if (info?.origin === "env") {
    // The environment variable wins over the keychain, so say that, not "No token".
    block.append(h("p", { class: "token-status" },
      h("span", { class: "badge check-pass" }, h("span", { class: "badge-icon", "aria-hidden": "true", text: "✓" }), h("span", { class: "badge-word", text: "Token in use" })),
      " ", `From the LOCKSTEP_${platform.toUpperCase()}_TOKEN environment variable.${info.saved ? " The one saved in your keychain is not used while it is set." : ""}`));
  } else if (info?.saved) {
    const from = `Saved in your keychain${info.saved_at ? ` on ${fmtDate(info.saved_at)}` : ""}.`;
    block.append(h("p", { class: "token-status" },
      h("span", { class: "badge check-pass" }, h("span", { class: "badge-icon", "aria-hidden": "true", text: "✓" }), h("span", { class: "badge-word", text: "Token saved" })),
      " ", from));
    if (info.scopes?.length) block.append(h("p", { class: "token-scopes", text: `It can: ${info.scopes.join(", ")}.` }));
    if (info.expires_at) block.append(h("p", { text: `It expires on ${fmtDate(info.expires_at)}.` }));
  } else {
    block.append(h("p", { class: "token-status" },
      h("span", { class: "badge check-skipped" }, h("span", { class: "badge-icon", "aria-hidden": "true", text: "–" }), h("span", { class: "badge-word", text: "No token" })),
      " ", platform === "pypi" ? "Paste an upload token only to have its scope checked here; it is never sent anywhere." : "Checks that need one are skipped."));
  }
  // The status line above already says an environment variable is in use.
  const warnings = (info?.warnings || []).filter((w) => !(info.origin === "env" && w.startsWith(`LOCKSTEP_${platform.toUpperCase()}_TOKEN is set`)));
  for (const w of warnings) block.append(h("p", { class: "inline-note warn" }, h("span", { "aria-hidden": "true", text: "! " }), w));
  if (info?.least_scope) block.append(h("p", { class: "scope-note" }, h("strong", { text: "Lockstep needs only: " }), info.least_scope));
  if (info?.token_page) block.append(h("p", {}, extLink(info.token_page, `Create a token on ${info.display_name || name}`)));
  if (info?.origin === "env") {
    block.append(h("p", { class: "muted", text: "To use the keychain instead, unset the environment variable and restart Lockstep." }));
    return block;
  }
  const input = h("input", { type: "password", id: inputId, autocomplete: "off", spellcheck: "false", class: "token-input" });
  block.append(
    h("label", { for: inputId, text: info?.saved ? "Replace with a new token" : "Paste a token" }),
    h("div", { class: "field-row" },
      input,
      h("button", { type: "button", class: "btn", "data-action": "save-token", text: info?.saved ? "Replace" : "Save token", onclick: () => saveTokenFor(view, platform, input) }),
      info?.saved ? h("button", { type: "button", class: "btn btn-quiet", "data-action": "remove-token", text: "Remove", onclick: () => removeToken(view, platform, name) }) : null));
  return block;
}

async function saveTokenFor(view, platform, input) {
  const token = input.value.trim();
  input.value = ""; // never keep a token in the page longer than needed
  if (!token) {
    view.ctx.showError({ kind: "invalid_input", message: "The token field is empty; paste the token and press Save." });
    input.focus();
    return;
  }
  try {
    const entry = await ipc.saveToken(platform, token);
    replaceEntry(view, platform, entry);
    view.ctx.toast("Token saved in your keychain.");
  } catch (err) {
    view.ctx.showError(err);
  }
  redrawToken(view, platform);
}

async function removeToken(view, platform, name) {
  try {
    const entry = await ipc.deleteToken(platform);
    replaceEntry(view, platform, entry);
    view.ctx.toast(`${name} token removed from your keychain. Revoke it on ${name} too if you no longer use it.`);
  } catch (err) {
    view.ctx.showError(err);
  }
  redrawToken(view, platform, name);
}

/** Redraws one platform's token block in place, so unsaved settings fields are kept. */
function redrawToken(view, platform, name) {
  const old = view.root.querySelector(`[data-token-for="${platform}"]`);
  const label = ACCOUNT_PLATFORMS.find(([id]) => id === platform)?.[1] || name || platform;
  old?.replaceWith(tokenBlock(view, platform, label));
}

function replaceEntry(view, platform, entry) {
  if (!entry) return;
  const rest = (view.tokens || []).filter((t) => t.platform !== platform);
  view.tokens = [...rest, entry];
}

function breachCard(view, settings) {
  const consent = h("input", { type: "checkbox", id: "hibp-consent", checked: Boolean(settings.breach_check_consent) });
  return h("section", { class: "card", "aria-labelledby": "hibp-h", "data-platform": "hibp" },
    h("h2", { id: "hibp-h", text: "Breach check (optional)" }),
    h("p", { text: "Lockstep can ask Have I Been Pwned whether your account emails appear in known data breaches. This sends each email address above to haveibeenpwned.com and needs your own Have I Been Pwned API key. Nothing is sent unless you tick the box and save." }),
    h("label", { class: "check-label" }, consent, " I agree to send my account email addresses to Have I Been Pwned"),
    tokenBlock(view, "hibp", "Have I Been Pwned"));
}

function lines(text) {
  return text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
}

async function save(view, form) {
  const old = view.ctx.snapshot.state.settings || {};
  const accounts = { ...(old.accounts || {}) };
  for (const input of form.querySelectorAll("[data-account]")) {
    const id = input.dataset.account;
    const value = input.value.trim();
    accounts[id] = { ...(accounts[id] || {}), [input.dataset.field]: value || null };
    if (!accounts[id].user && !accounts[id].base_url) delete accounts[id];
  }
  const interval = Number.parseInt(form.querySelector("#review-interval").value, 10);
  if (!Number.isFinite(interval) || interval < 1) {
    view.ctx.showError({ kind: "invalid_input", message: "Days between reviews must be a whole number, for example 90." });
    return;
  }
  const settings = {
    ...old,
    accounts,
    pypi_projects: lines(form.querySelector("#pypi-projects").value),
    emails: lines(form.querySelector("#emails").value),
    review_interval_days: interval,
    breach_check_consent: form.querySelector("#hibp-consent").checked,
  };
  try {
    view.ctx.setState(await ipc.saveSettings(settings));
    view.ctx.toast("Settings saved.");
  } catch (err) {
    view.ctx.showError(err);
  }
}
