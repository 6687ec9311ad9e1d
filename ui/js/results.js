// How one check result is shown everywhere: shape + word, summary, when it was taken, and on
// opening the evidence and what to do. Unknown is grey with its reason, never red.

import { h, fmtDateTime } from "./dom.js";
import { checkBadge } from "./widgets.js";

/**
 * The window speaks plainly: no backticks, no environment-variable names (the terminal's
 * business), no raw OS error numbers. The CLI keeps the exact text.
 */
export function plainWords(text) {
  if (!text) return text;
  return String(text)
    .replace(/\s*\((?:or )?set LOCKSTEP_[A-Z_]+(?: [^)]*)?\)/g, "")
    .replace(/\bLOCKSTEP_[A-Z_]+\b/g, "a setting")
    .replace(/\s*\(os error \d+\)/gi, "")
    // A raw address reads as its host; the row's links and buttons open pages.
    .replace(/\bhttps?:\/\/([^\s/)"”]+)[^\s)"”]*/g, "$1")
    .replace(/`([^`]*)`/g, "“$1”")
    .replace(/ExitStatus\([^)]*\)/g, "an error");
}

const DOES_NOT_APPLY = /(does not|doesn't|do not) apply|not applicable|only (?:on|for) (?:macOS|Windows|Linux)|not (?:used|available) on this/i;

/**
 * `spec` is {id, title, least_scope} (may be partial); `result` may be undefined (not run).
 * `notRechecked`: the last run was cancelled before this check finished, so the result shown
 * is the one from before.
 */
export function resultRow(spec, result, { status, notRechecked = false } = {}) {
  const st = status || result?.status || "pending";
  const title = spec?.title || result?.id || "Check";
  const summary = plainWords(result?.summary) || (st === "running" ? "Checking now…" : "Not run yet. Run the checks to see this.");
  const evidence = result?.evidence || [];
  const remediation = result?.remediation || [];
  const hasMore = evidence.length || remediation.length || spec?.least_scope;
  const when = st !== "running" && result?.checked_at
    ? h("span", { class: "result-when", text: `${notRechecked ? "Not re-checked: result from" : "Checked"} ${fmtDateTime(result.checked_at)}` })
    : null;
  // "Not set up" (Lockstep lacks a token or a name) is not "Doesn't apply" (nothing to check).
  const badgeStatus = st === "skipped" && DOES_NOT_APPLY.test(result?.summary || "") ? "not_applicable" : st;
  const head = h("div", { class: "result-head" },
    checkBadge(badgeStatus),
    h("span", { class: "result-title", text: title }),
    h("span", { class: "result-summary" }, h("span", { text: summary }), when));
  const attrs = {
    class: `result result-${st}${notRechecked ? " not-rechecked" : ""}`,
    "data-check-id": spec?.id || result?.id, "data-status": st,
    "data-not-rechecked": notRechecked ? "true" : null,
  };
  if (!hasMore) return h("div", attrs, head);
  return h("details", attrs,
    h("summary", {}, head),
    h("div", { class: "result-body" },
      evidence.length ? [h("h4", { text: "What Lockstep saw" }), h("ul", { class: "evidence" }, evidence.map((e) => h("li", { text: plainWords(e) })))] : null,
      remediation.length ? [h("h4", { text: "What to do" }), h("ol", { class: "remediation" }, remediation.map((r) => h("li", { text: plainWords(r) })))] : null,
      spec?.least_scope ? h("p", { class: "scope-note" }, h("strong", { text: "Token needed: " }), plainWords(spec.least_scope)) : null));
}

/** Check specs by id from the snapshot. */
export function specsById(snapshot) {
  return new Map((snapshot.checks || []).map((c) => [c.id, c]));
}
