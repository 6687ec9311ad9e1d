// Accounts & tokens: handles, server addresses, which tokens are saved (never the token
// itself), what they can do; one concrete token recipe per platform; a pasted token is checked
// before it is kept. Settings have one save model: edits are marked until saved, and a save
// never writes back a value the user did not touch.

import { h, mount, fmtDate, newId } from "./dom.js";
import * as ipc from "./ipc.js";
import { screenHeader, extLink } from "./widgets.js";
import { plainWords } from "./results.js";

/** The platform rows the core sends (its platform table), in display order. */
function rows(view) {
  return view.ctx.snapshot.platforms || [];
}

function rowOf(view, id) {
  return rows(view).find((p) => p.id === id) || null;
}

/** The web address of a platform: from its address setting (self-hosted servers), else its own. */
function webBase(row, settings) {
  const url = row.url_setting ? settings.accounts?.[row.id]?.base_url : null;
  if (!url) return row.web_url;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return row.web_url;
  }
}

/**
 * The row's recipe with its link filled in (`{web}`: the web address; `{user}`: the user name,
 * for a better page once it is known). `null`: the platform needs no token.
 */
function recipe(row, settings) {
  if (row?.token?.kind !== "needed") return null;
  const r = row.token.recipe;
  const user = settings.accounts?.[row.id]?.user;
  const template = user && r.link_with_user ? r.link_with_user : r.link;
  const link = template.replace("{web}", webBase(row, settings)).replace("{user}", encodeURIComponent(user || ""));
  return { steps: r.steps, link, linkLabel: r.link_label };
}

export function render(root, ctx) {
  const view = { root, ctx, tokens: null, alive: true, checks: new Map(), audit: new Set() };
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
  if (!view.alive) return;
  for (const row of rows(view)) redrawToken(view, row.id);
  const note = view.root.querySelector("#keychain-slot");
  if (note) mount(note, keychainNote(view));
}

function tokenFor(view, platform) {
  return (view.tokens || []).find((t) => t.platform === platform) || null;
}

/** The keychain error every platform shares (the keychain itself could not be read), if so. */
function sharedKeychainError(view) {
  const errors = (view.tokens || []).map((t) => t.error || "");
  return errors.length > 1 && errors[0] && errors.every((e) => e === errors[0]) ? errors[0] : null;
}

function keychainNote(view) {
  const keychainError = sharedKeychainError(view);
  return keychainError ? h("p", { class: "inline-note", id: "keychain-note", role: "status" },
    h("strong", { text: "Your system keychain could not be read. " }), keychainError) : null;
}

function draw(view) {
  const settings = view.ctx.snapshot.state.settings || {};
  const form = h("form", { class: "settings-form", id: "settings-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); save(view, form); },
    oninput: (e) => markDirty(view, e.target), onchange: (e) => markDirty(view, e.target) },
  h("div", { class: "platform-grid" }, rows(view).filter((row) => row.account).map((row) => platformCard(view, row, settings))),
  h("section", { class: "card", "aria-labelledby": "more-h" },
    h("h2", { id: "more-h", text: "Emails and reviews" }),
    textField("emails", "Email addresses your accounts use", "One per line. Lockstep checks that their domains will not lapse; nothing is sent anywhere unless you turn on the breach check below.", (settings.emails || []).join("\n")),
    h("div", { class: "field settings-field" },
      h("label", { for: "review-interval", text: "Days between periodic reviews" }),
      h("input", { type: "number", id: "review-interval", "data-setting": "review_interval_days", min: "7", max: "365", value: String(settings.review_interval_days ?? 90), "data-saved": String(settings.review_interval_days ?? 90), "data-label": "days between reviews", class: "narrow-input" }))),
  rows(view).filter((row) => !row.account).map((row) => breachCard(view, row, settings)),
  h("div", { class: "button-row sticky-actions" },
    h("button", { type: "submit", class: "btn btn-primary", id: "save-settings", text: "Save settings" }),
    h("span", { class: "unsaved-note", id: "unsaved-note", role: "status", "aria-live": "polite" }),
    h("span", { class: "muted", text: "Tokens are saved on their own, straight into your system keychain." })));
  mount(view.root, h("section", { class: "screen", id: "accounts" },
    screenHeader("Accounts & tokens", "Tokens let Lockstep read your account settings. They live only in your system keychain and are never shown again after you save them."),
    h("div", { id: "keychain-slot" }, keychainNote(view)),
    form));
}

/** Marks a settings field as changed but not saved, and says so next to Save. */
function markDirty(view, field) {
  if (!field?.closest?.(".settings-field")) return;
  const changed = field.type === "checkbox" ? field.checked !== (field.dataset.saved === "true") : field.value !== (field.dataset.saved ?? "");
  field.closest(".settings-field").classList.toggle("dirty", changed);
  field.dataset.dirty = changed ? "true" : "false";
  updateUnsaved(view);
}

function dirtyFields(view) {
  return [...view.root.querySelectorAll("[data-dirty=true]")];
}

function updateUnsaved(view) {
  const note = view.root.querySelector("#unsaved-note");
  if (!note) return;
  const names = dirtyFields(view).map((f) => f.dataset.label || f.id);
  note.textContent = names.length ? `Not saved yet: ${names.join(", ")}.` : "";
}

/** A list field, one name a line; `names`: the settings key it is saved under, if a platform's. */
function textField(id, label, hint, value, names = null) {
  const hintId = newId("hint");
  return h("div", { class: "field settings-field" },
    h("label", { for: id, text: label }),
    h("textarea", { id, rows: "3", "aria-describedby": hintId, value, spellcheck: "false", "data-setting": id, "data-saved": value, "data-label": label, "data-names": names }),
    h("p", { class: "field-hint", id: hintId, text: hint }));
}

function platformCard(view, row, settings) {
  const { id, name } = row;
  const account = settings.accounts?.[id] || {};
  const userHint = newId("hint");
  const user = account.user || "";
  return h("section", { class: "card platform-card", "data-platform": id, "aria-labelledby": `p-${id}` },
    h("h2", { id: `p-${id}`, text: name }),
    h("div", { class: "field settings-field" },
      h("label", { for: `user-${id}`, text: row.user.label }),
      h("input", {
        type: "text", id: `user-${id}`, "data-account": id, "data-field": "user", value: user, "data-saved": user, "data-label": `${name} user name`,
        autocomplete: "off", spellcheck: "false", "aria-describedby": userHint,
        placeholder: row.user.from_token ? "found from the token if left empty" : "",
      }),
      h("p", { class: "field-hint", id: userHint, "data-user-hint": id, text: "" })),
    row.names_setting ? textField(`names-${id}`, row.names_setting.label, row.names_setting.hint, (settings[row.names_setting.key] || []).join("\n"), row.names_setting.key) : null,
    row.url_setting ? h("div", { class: "field settings-field" },
      h("label", { for: `url-${id}`, text: row.url_setting }),
      h("input", { type: "url", id: `url-${id}`, "data-account": id, "data-field": "base_url", value: account.base_url || "", "data-saved": account.base_url || "", "data-label": `${name} address`, spellcheck: "false", placeholder: row.api_url })) : null,
    tokenBlock(view, id, name));
}

function badge(tone, icon, word) {
  return h("span", { class: `badge ${tone}` }, h("span", { class: "badge-icon", "aria-hidden": "true", text: icon }), h("span", { class: "badge-word", text: word }));
}

function tokenBlock(view, platform, name) {
  const info = tokenFor(view, platform);
  if (view.tokens === null) return h("div", { class: "muted", "data-token-for": platform, text: "Looking in your keychain…" });
  const settings = view.ctx.snapshot.state.settings || {};
  const block = h("div", { class: "token-block", "data-token-for": platform, "data-token-saved": info?.saved ? "true" : "false" });
  if (info?.error && info.error !== sharedKeychainError(view)) block.append(h("p", { class: "inline-note", role: "status", text: info.error }));
  if (info?.origin === "env") {
    // A token from the environment wins over the keychain, so say that, not "No token".
    block.append(h("p", { class: "token-status" }, badge("check-pass", "✓", "Token in use"), " ",
      `Set for Lockstep outside the app (in its environment).${info.saved ? " The one saved in your keychain is not used meanwhile." : ""}`),
    h("p", { class: "muted", text: "To use the keychain instead, start Lockstep without that setting." }));
    return block;
  }
  const row = rowOf(view, platform);
  const use = row?.token?.kind;
  const auditOnly = use === "audit_only";
  if ((use === "not_needed" || auditOnly) && !info?.saved && !view.audit.has(platform)) {
    block.append(h("p", { class: "token-status", "data-no-token": platform }, badge("check-pass", "✓", "No token needed"), " ", row.token.why));
    if (auditOnly) {
      block.append(h("p", {}, h("button", {
        type: "button", class: "btn btn-link", id: `audit-${platform}`, "data-action": "audit-token", text: "Check the scope of a publishing token I use…",
        onclick: () => { view.audit.add(platform); redrawToken(view, platform); view.root.querySelector(`#token-${platform}`)?.focus(); },
      })));
    }
    return block;
  }
  if (info?.saved) savedStatus(block, view, platform, name, info);
  else if (auditOnly) {
    block.append(h("p", { class: "token-status" }, "Paste a publishing token only to have its scope checked: it is decoded on this device, never sent anywhere, and not kept."));
  } else {
    block.append(h("p", { class: "token-status" }, badge("check-skipped", "–", "No token"), " ", `Checks that need one are not set up.`));
  }
  const r = recipe(row, settings);
  if (r && !info?.saved && r.steps.length) {
    block.append(h("div", { class: "recipe", "data-recipe": platform },
      h("h3", { text: "The token Lockstep needs" }),
      h("ol", { class: "steps" }, r.steps.map((t) => h("li", { text: t }))),
      h("p", {}, extLink(r.link, r.linkLabel))));
  } else if (r && !info?.saved) {
    block.append(h("p", { "data-recipe": platform }, extLink(r.link, r.linkLabel)));
  }
  const inputId = `token-${platform}`;
  const input = h("input", { type: "password", id: inputId, autocomplete: "off", spellcheck: "false", class: "token-input" });
  const verdict = h("div", { class: "token-check", "data-check-for": platform, "aria-live": "polite" });
  block.append(
    h("label", { for: inputId, text: info?.saved ? "Replace with a new token" : auditOnly ? "Publishing token to check" : "Paste the token" }),
    h("div", { class: "field-row" },
      input,
      h("button", { type: "button", class: "btn", "data-action": "save-token", text: auditOnly ? "Check" : info?.saved ? "Check and replace" : "Check and save", onclick: () => checkThenSave(view, platform, input, verdict) }),
      info?.saved ? h("button", { type: "button", class: "btn btn-quiet", "data-action": "remove-token", text: "Remove", onclick: () => removeToken(view, platform, name) }) : null),
    verdict);
  return block;
}

/** What a saved token is: green when it fits, amber when broader than needed, red when expired. */
function savedStatus(block, view, platform, name, info) {
  const from = `Saved in your keychain${info.saved_at ? ` on ${fmtDate(info.saved_at)}` : ""}.`;
  // The core's verdict, kept with the token's description, so it is the same after a restart.
  const verdict = info.verdict || "fits";
  const tones = {
    expired: ["check-fail", "✕", "Token expired"],
    unrecognised: ["check-fail", "✕", "Not recognised"],
    broad: ["check-warn", "!", "Broader than needed"],
    unchecked: ["check-unknown", "?", "Token saved"],
    fits: ["check-pass", "✓", "Token saved"],
  };
  const broad = info.broad_scopes || [];
  block.dataset.tokenVerdict = verdict;
  block.append(h("p", { class: "token-status" }, badge(...(tones[verdict] || tones.fits)), " ", from));
  if (verdict === "unrecognised") block.append(h("p", { class: "inline-note warn", text: `${name} did not recognise this token when it was saved: it may be mistyped, revoked or not the kind of token Lockstep needs.` }));
  if (verdict === "unchecked") block.append(h("p", { class: "muted", text: `Lockstep could not ask ${name} what this token can do. It may be fine; the checks will say.` }));
  if (info.account_user) block.append(h("p", { class: "token-user", text: `Belongs to ${info.account_user}.` }));
  if (info.scopes?.length) block.append(h("p", { class: "token-scopes", text: `It can: ${info.scopes.join(", ")}.` }));
  if (broad.length) {
    block.append(h("p", { class: "inline-note warn" }, h("span", { "aria-hidden": "true", text: "! " }),
      `It can do more than Lockstep needs (${broad.join(", ")}). If someone copied it, they could do the same.`));
  }
  if (info.expires_at) block.append(h("p", { text: `It expires on ${fmtDate(info.expires_at)}.` }));
  // The broad scopes are said above; a warning that starts mid-sentence reads "This token …".
  const warnings = (info.warnings || []).filter((w) => !(broad.length && /more than Lockstep needs/.test(w)));
  for (const w of warnings) {
    const text = /^[a-z]/.test(w) ? `This token ${w}${/[.!?]$/.test(w) ? "" : "."}` : w;
    block.append(h("p", { class: "inline-note warn" }, h("span", { "aria-hidden": "true", text: "! " }), plainWords(text)));
  }
  if (["broad", "expired", "unrecognised"].includes(verdict)) {
    const r = recipe(rowOf(view, platform), view.ctx.snapshot.state.settings || {});
    block.append(h("p", { class: "button-row" },
      h("button", { type: "button", class: "btn", "data-action": "replace-token", text: "Replace with a narrower token", onclick: () => view.root.querySelector(`#token-${platform}`)?.focus() }),
      r ? extLink(r.link, `Create one on ${name}`) : null));
  }
}

/** The pasted token's check result, with what the user can do next. */
function showVerdict(view, platform, input, box, check) {
  const tones = {
    fits: ["check-pass", "✓", "Looks right"],
    broad: ["check-warn", "!", "Broader than needed"],
    expired: ["check-fail", "✕", "Expired"],
    unrecognised: ["check-fail", "✕", "Not recognised"],
    unchecked: ["check-unknown", "?", "Could not check"],
  };
  const [cls, icon, word] = tones[check.verdict] || tones.unchecked;
  const clear = () => { input.value = ""; mount(box); box.removeAttribute("data-verdict"); input.focus(); };
  const canSave = !auditOnly(view, platform) && (check.verdict === "broad" || check.verdict === "unchecked");
  box.dataset.verdict = check.verdict;
  mount(box,
    h("p", {}, badge(cls, icon, word), " ",
      check.user ? `Belongs to ${check.user}. ` : "",
      check.scopes?.length ? `It can: ${check.scopes.join(", ")}. ` : "",
      check.expires_at ? `Expires on ${fmtDate(check.expires_at)}.` : ""),
    (check.notes || []).map((n) => h("p", { class: check.verdict === "fits" ? "muted" : "inline-note warn", text: plainWords(n) })),
    check.verdict === "broad" ? h("p", { text: "Replace it with a narrower token: if it leaked, a narrower one could do far less." }) : null,
    h("div", { class: "button-row" },
      canSave ? h("button", { type: "button", class: "btn btn-quiet", "data-action": "save-anyway", text: check.verdict === "broad" ? "Save this broad token anyway" : "Save it anyway", onclick: () => saveTokenFor(view, platform, input) }) : null,
      h("button", { type: "button", class: "btn", "data-action": "clear-token", text: check.verdict === "fits" ? "Clear" : "Paste a narrower token", onclick: clear })));
}

async function checkThenSave(view, platform, input, box) {
  const token = input.value.trim();
  if (!token) {
    view.ctx.showError({ kind: "invalid_input", message: "The token field is empty; paste the token and press the button again." });
    input.focus();
    return;
  }
  mount(box, h("p", { class: "muted", text: "Asking the platform what this token can do…" }));
  let check;
  try {
    check = await ipc.checkToken(platform, token);
  } catch (err) {
    mount(box);
    view.ctx.showError(err);
    return;
  }
  if (check.verdict === "fits" && !auditOnly(view, platform)) {
    await saveTokenFor(view, platform, input);
    return;
  }
  if (auditOnly(view, platform)) input.value = ""; // checked, never kept
  showVerdict(view, platform, input, box, check);
}

async function saveTokenFor(view, platform, input) {
  const token = input.value.trim();
  input.value = ""; // never keep a token in the page longer than needed
  try {
    const entry = await ipc.saveToken(platform, token);
    replaceEntry(view, platform, entry);
    view.ctx.toast(entry?.broad_scopes?.length ? "Token saved. It can do more than Lockstep needs; replace it when you can." : "Token saved in your keychain.");
    await takeFoundUser(view, platform);
  } catch (err) {
    view.ctx.showError(err);
  }
  redrawToken(view, platform);
  view.root.querySelector(`[data-token-for="${platform}"] .token-status`)?.setAttribute("tabindex", "-1");
  view.root.querySelector(`[data-token-for="${platform}"] .token-status`)?.focus();
}

/**
 * The core may have filled in the user name the token revealed. Show it in its field (unless
 * the user is editing that field), so a later Save keeps it instead of wiping it.
 */
async function takeFoundUser(view, platform) {
  try {
    view.ctx.setState(await ipc.currentState());
  } catch {
    return; // the field keeps what it showed; Save still never writes an untouched field
  }
  const found = view.ctx.snapshot.state.settings?.accounts?.[platform]?.user || "";
  const field = view.root.querySelector(`#user-${platform}`);
  if (!field || field.dataset.dirty === "true" || !found) return;
  if (field.value !== found) {
    field.value = found;
    const hint = view.root.querySelector(`[data-user-hint="${platform}"]`);
    if (hint) hint.textContent = "Found from your token and saved.";
  }
  field.dataset.saved = found;
}

async function removeToken(view, platform, name) {
  try {
    const entry = await ipc.deleteToken(platform);
    replaceEntry(view, platform, entry);
    view.ctx.toast(`${name} token removed from your keychain. Revoke it on ${name} too if you no longer use it.`);
  } catch (err) {
    view.ctx.showError(err);
  }
  redrawToken(view, platform);
  // The Remove button is gone: the field to paste a new token takes the focus.
  (view.root.querySelector(`#token-${platform}`) || view.root.querySelector(`#p-${platform}`))?.focus();
}

/** A platform whose token is only checked on this device, never kept. */
function auditOnly(view, platform) {
  return rowOf(view, platform)?.token?.kind === "audit_only";
}

/** Redraws one platform's token block in place, so unsaved settings fields are kept. */
function redrawToken(view, platform) {
  const old = view.root.querySelector(`[data-token-for="${platform}"]`);
  old?.replaceWith(tokenBlock(view, platform, rowOf(view, platform)?.name || platform));
}

function replaceEntry(view, platform, entry) {
  if (!entry) return;
  const rest = (view.tokens || []).filter((t) => t.platform !== platform);
  view.tokens = [...rest, entry];
}

/** The one token holder that is not an account: the breach check's service, with its consent. */
function breachCard(view, row, settings) {
  const { id, name } = row;
  const consent = h("input", { type: "checkbox", id: "breach-consent", "data-setting": "breach_check_consent", "data-saved": String(Boolean(settings.breach_check_consent)), "data-label": "breach check consent", checked: Boolean(settings.breach_check_consent) });
  return h("section", { class: "card", "aria-labelledby": `p-${id}`, "data-platform": id },
    h("h2", { id: `p-${id}`, text: "Breach check (optional)" }),
    h("p", { text: `Lockstep can ask ${name} whether your account emails appear in known data breaches. This sends each email address above to ${new URL(row.web_url).host} and needs your own ${name} API key. Nothing is sent unless you tick the box and save.` }),
    h("label", { class: "check-label settings-field" }, consent, ` I agree to send my account email addresses to ${name}`),
    tokenBlock(view, id, name));
}

function lines(text) {
  return text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
}

/**
 * Saves only what the user changed, over the settings as they are now (the core may have
 * filled in a user name meanwhile): an untouched field is never written back.
 */
async function save(view, form) {
  const dirty = dirtyFields(view);
  if (!dirty.length) {
    view.ctx.toast("Nothing to save: no setting was changed.");
    return;
  }
  try {
    view.ctx.setState(await ipc.currentState());
  } catch {
    // Use what the window has; untouched fields are still not written.
  }
  const old = view.ctx.snapshot.state.settings || {};
  const settings = { ...old, accounts: { ...(old.accounts || {}) } };
  for (const field of dirty) {
    if (field.dataset.account) {
      const id = field.dataset.account;
      const value = field.value.trim();
      settings.accounts[id] = { ...(settings.accounts[id] || {}), [field.dataset.field]: value || null };
      if (!settings.accounts[id].user && !settings.accounts[id].base_url) delete settings.accounts[id];
    } else if (field.id === "review-interval") {
      const interval = Number.parseInt(field.value, 10);
      if (!Number.isFinite(interval) || interval < 1) {
        view.ctx.showError({ kind: "invalid_input", message: "Days between reviews must be a whole number, for example 90." });
        field.focus();
        return;
      }
      settings.review_interval_days = interval;
    } else if (field.dataset.names) settings[field.dataset.names] = lines(field.value);
    else if (field.id === "emails") settings.emails = lines(field.value);
    else if (field.id === "breach-consent") settings.breach_check_consent = field.checked;
  }
  try {
    view.ctx.setState(await ipc.saveSettings(settings));
    for (const field of dirty) {
      field.dataset.saved = field.type === "checkbox" ? String(field.checked) : field.value;
      markDirty(view, field);
    }
    view.ctx.toast("Settings saved.");
  } catch (err) {
    view.ctx.showError(err);
  }
}
