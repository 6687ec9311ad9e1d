// How one check result is shown everywhere: shape + word, summary, and on opening the
// evidence and what to do. Unknown is grey with its reason, never red.

import { h } from "./dom.js";
import { checkBadge } from "./widgets.js";

/** `spec` is {id, title, least_scope} (may be partial); `result` may be undefined (not run). */
export function resultRow(spec, result, { status } = {}) {
  const st = status || result?.status || "pending";
  const title = spec?.title || result?.id || "Check";
  const summary = result?.summary || (st === "running" ? "Checking now…" : "Not run yet. Run the checks to see this.");
  const evidence = result?.evidence || [];
  const remediation = result?.remediation || [];
  const hasMore = evidence.length || remediation.length || spec?.least_scope;
  const head = h("div", { class: "result-head" },
    checkBadge(st),
    h("span", { class: "result-title", text: title }),
    h("span", { class: "result-summary", text: summary }));
  if (!hasMore) {
    return h("div", { class: `result result-${st}`, "data-check-id": spec?.id || result?.id, "data-status": st }, head);
  }
  return h("details", { class: `result result-${st}`, "data-check-id": spec?.id || result?.id, "data-status": st },
    h("summary", {}, head),
    h("div", { class: "result-body" },
      evidence.length ? [h("h4", { text: "What Lockstep saw" }), h("ul", { class: "evidence" }, evidence.map((e) => h("li", { text: e })))] : null,
      remediation.length ? [h("h4", { text: "What to do" }), h("ol", { class: "remediation" }, remediation.map((r) => h("li", { text: r })))] : null,
      spec?.least_scope ? h("p", { class: "scope-note" }, h("strong", { text: "Token needed: " }), spec.least_scope) : null,
      h("p", { class: "check-id", text: `Check id: ${spec?.id || result?.id}` })));
}

/** Check specs by id from the snapshot. */
export function specsById(snapshot) {
  return new Map((snapshot.checks || []).map((c) => [c.id, c]));
}
