// The one module that talks to Lockstep's Rust side. Every other module is DOM only.
// Commands reject with {kind, message}; anything else is normalised to that shape here.
// It uses Tauri's own ES module (ui/vendor/tauri-api, see SOURCE.md) instead of the global
// `window.__TAURI__`, which would inject the whole API and every plugin's into the page.

import { invoke as tauriInvoke, Channel } from "../vendor/tauri-api/core.js";

/** Tauri's IPC bridge, present in the app window only (core.js calls it on each invoke). */
const inApp = () => typeof window.__TAURI_INTERNALS__?.invoke === "function";

function normalise(err) {
  if (err && typeof err === "object" && typeof err.message === "string") {
    return { kind: err.kind || "error", message: err.message };
  }
  const text = String(err ?? "Something went wrong.");
  // Tauri rejects an argument of the wrong type before the command runs.
  if (/^invalid args /.test(text)) return { kind: "invalid_input", message: text };
  if (/not found|unknown command|not allowed/i.test(text)) {
    return { kind: "unavailable", message: `This build of Lockstep cannot do that yet (${text}).` };
  }
  return { kind: "error", message: text };
}

async function invoke(command, args = {}) {
  if (!inApp()) {
    throw { kind: "no_app", message: "This page only works inside the Lockstep app window." };
  }
  try {
    return await tauriInvoke(command, args);
  } catch (err) {
    throw normalise(err);
  }
}

export const appSnapshot = () => invoke("app_snapshot");
export const chooseJourney = (journey) => invoke("choose_journey", { journey });
/** Travel: "start", "back" or "finish" a trip; resolves to the new state. */
export const tripAction = (action) => invoke("trip_action", { action });
export const setPosition = (journey, itemId) => invoke("set_position", { journey, itemId });
export const answerItem = (itemId, status, reason = null, choice = null) =>
  invoke("answer_item", { itemId, status, reason, choice });
export const saveSettings = (settings) => invoke("save_settings", { settings });
/** Where every item stands and the latest results it was worked out from. */
export const assessment = () => invoke("assessment");
export const currentState = () => invoke("current_state");

/** Runs checks; `onEvent` receives each channel message ({event: started|result|finished}). */
export function runChecks({ groups = null, journey = null }, onEvent) {
  if (!inApp()) return invoke("run_checks", {});
  const channel = new Channel();
  channel.onmessage = onEvent;
  return invoke("run_checks", { groups, journey, onEvent: channel });
}
export const cancelChecks = () => invoke("cancel_checks");

/**
 * Hands the app a channel once at start: `onStatus({problem})` is called when a background
 * save fails (`problem` is {kind, message}) and when a later save succeeds (`problem` null).
 */
export function watchSaves(onStatus) {
  if (!inApp()) return Promise.resolve();
  const channel = new Channel();
  channel.onmessage = onStatus;
  return invoke("watch_saves", { onEvent: channel });
}

export const listTokens = () => invoke("list_tokens");
export const saveToken = (platform, token) => invoke("save_token", { platform, token });
/** What a pasted token can do, before it is saved; stores nothing. */
export const checkToken = (platform, token) => invoke("check_token", { platform, token });
export const deleteToken = (platform) => invoke("delete_token", { platform });

/** One page of past reviews, newest first: the newest, or those older than review `before`. */
export const listReviews = (before = null) => invoke("list_reviews", before ? { before } : {});
export const openReview = (id) => invoke("open_review", { id });
// The file dialogs open on the Rust side: the page names a kind of file, never a path.
// Each resolves to null when the user cancels the dialog.
export const exportReport = (reviewId, format) => invoke("export_report", { reviewId, format });
export const exportSummary = (format, includeEmails, includePackages) =>
  invoke("export_summary", { format, includeEmails, includePackages });
export const exportProgress = () => invoke("export_progress");
export const previewImport = () => invoke("preview_import");
export const applyImport = () => invoke("apply_import");

/** Opens an https page in the system browser, never inside the app. */
export async function openUrl(url) {
  if (!/^https:\/\//.test(url)) throw { kind: "invalid_input", message: `Lockstep only opens https links (${url}).` };
  if (!inApp()) throw { kind: "unavailable", message: `Open ${url} in your browser.` };
  // The opener plugin's own `openUrl` (@tauri-apps/plugin-opener) is exactly this call; its
  // module imports "@tauri-apps/api/core" by bare name, which only a bundler or an inline
  // import map (barred by the CSP) could resolve, so the page calls the command itself.
  await invoke("plugin:opener|open_url", { url });
}
