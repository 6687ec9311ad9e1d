// Checks: live account and device results, grouped by platform, streaming in as they finish.
// A summary stays on top; the worst comes first; "Not set up" folds into one line per
// platform; one unreachable server is one note with Retry, not a copy per check.

import { h, mount, fmtDateTime, keepFocus, plural } from "./dom.js";
import * as ipc from "./ipc.js";
import { groupViews, groupTitle, CHECK_STATES, compareCheckStatus, resultsById } from "./model.js";
import { screenHeader, announce } from "./widgets.js";
import { resultRow, specsById } from "./results.js";
import { changeList } from "./history.js";
import { withFindings } from "./findings.js";

// A run survives leaving the screen: its progress is kept here and redrawn on return.
const run = {
  number: 0, active: false, full: false, groups: null, done: 0, total: 0, pending: new Set(), notRechecked: new Set(),
  changes: null, cancelled: false, finishedAt: null, reviewId: null, previousId: null, progress: new Map(),
};

export function render(root, ctx) {
  const view = { root, ctx, alive: true };
  draw(view);
  run.redraw = () => view.alive && draw(view);
  run.updateRow = (id) => view.alive && updateRow(view, id);
  run.showProgress = (id) => view.alive && showProgress(view.root, id);
  if (run.requested && !run.active) {
    run.requested = false;
    start(view, null);
  }
  return () => { view.alive = false; };
}

/** The periodic review starts with every check: the Checks screen runs them when it opens. */
export function requestReview() {
  run.requested = true;
}

/** Words that say a check could not reach its server (the core's unknowns say why). */
const UNREACHABLE = /could not (?:reach|connect)|connection refused|timed out|unreachable|no route|dns|resolve|not reachable/i;

function draw(view) {
  keepFocus(view.root, () => drawScreen(view), "#run-checks");
}

function drawScreen(view) {
  const { root, ctx } = view;
  // Redraws keep what the user opened.
  const open = new Set([...root.querySelectorAll("details[open]")].map((d) => d.dataset.checkId || d.dataset.fold));
  const results = resultsById(ctx.snapshot.latest_results);
  const specs = ctx.snapshot.checks || [];
  const groups = groupViews(ctx.snapshot).map((g) => g.id).filter((g) => specs.some((s) => s.group === g))
    .map((g, i) => ({ g, i, worst: worstOf(specs.filter((s) => s.group === g), results) }))
    .sort((a, b) => compareCheckStatus(a.worst, b.worst) || a.i - b.i)
    .map((x) => x.g);
  const runButton = h("button", {
    type: "button", class: "btn btn-primary", id: "run-checks", "aria-disabled": run.active ? "true" : null,
    text: run.active && run.full ? "Checking…" : "Run all checks", onclick: () => start(view, null),
  });
  const cancel = run.active ? h("button", { type: "button", class: "btn", id: "cancel-checks", text: "Cancel", onclick: () => stop(view) }) : null;
  mount(root, h("section", { class: "screen", id: "checks" },
    screenHeader("Checks", "Lockstep asks each platform and this device directly. Unknown means it could not tell, and says why; it is never counted against you. Running all checks makes a review; running one platform updates only its results.", runButton, cancel),
    summaryBar(ctx, specs, results),
    progressBlock(),
    unreachableNotes(view, results),
    run.changes?.length ? h("section", { class: "card", id: "run-changes", "aria-labelledby": "changes-h" },
      h("h2", { id: "changes-h", text: changesHeading() }),
      changeList(run.changes, { specs: specsById(ctx.snapshot) })) : null,
    !run.active && run.finishedAt && !run.cancelled && !run.changes?.length ? h("section", { class: "card", id: "run-no-changes", "aria-live": "polite" },
      h("p", { text: noChangesText() })) : null,
    groups.map((g) => groupSection(view, g, specs.filter((s) => s.group === g), results))));
  for (const d of root.querySelectorAll("details[data-check-id], details[data-fold]")) {
    if (open.has(d.dataset.checkId || d.dataset.fold)) d.open = true;
  }
}

function worstOf(specs, results) {
  return specs.map((s) => results.get(s.id)?.status || "pending").sort(compareCheckStatus)[0] || "pending";
}

function changesHeading() {
  if (run.cancelled) return "Run cancelled: what changed in the checks that finished";
  return run.full ? "What changed since your last review" : "What changed in the checks you just ran";
}

function noChangesText() {
  if (!run.full) return "Nothing changed in the checks you just ran. This was not a review: History lists full runs only, and the next review date stays as it was.";
  return run.previousId ? "Nothing changed since your last review." : "This is your first review. The next one will show what changed since today.";
}

/** "2 need fixing · 7 worth a look · 11 not set up": over every check's latest result. */
function summaryBar(ctx, specs, results) {
  const counts = new Map();
  for (const spec of specs) {
    const st = results.get(spec.id)?.status || "pending";
    counts.set(st, (counts.get(st) || 0) + 1);
  }
  const words = {
    fail: (n) => `${n} ${n === 1 ? "needs" : "need"} fixing`,
    warn: (n) => `${n} worth a look`,
    unknown: (n) => `${n} unknown`,
    pass: (n) => `${n} good`,
    skipped: (n) => `${n} not set up`,
    pending: (n) => `${n} not run yet`,
  };
  const parts = [...counts.keys()].sort(compareCheckStatus).map((st) =>
    h("li", { class: `count check-${st}`, "data-status": st, "data-count": counts.get(st) },
      h("span", { "aria-hidden": "true", text: `${CHECK_STATES[st]?.icon || ""} ` }), words[st]?.(counts.get(st)) || `${counts.get(st)} ${st}`));
  return h("nav", { class: "summary-bar", id: "checks-summary", "aria-label": "Summary of the latest results" },
    h("ul", { class: "summary-counts" }, parts));
}

function progressBlock() {
  const notRe = run.notRechecked.size;
  const label = run.active
    ? `${run.done} of ${run.total || "?"} checks finished`
    : run.finishedAt
      ? run.cancelled
        ? `Cancelled at ${fmtDateTime(run.finishedAt)}: ${run.done} of ${run.total} checks finished.${notRe ? ` ${plural(notRe, "check was", "checks were")} not re-checked and ${notRe === 1 ? "keeps its" : "keep their"} previous result.` : ""}`
        : `Finished at ${fmtDateTime(run.finishedAt)}: ${run.done} of ${run.total} checks ran.${run.full ? "" : " Not a review: only the latest results of these checks changed."}`
      : "";
  // data-run-state and data-run-number tell one run's end from the next (end-to-end tests wait on them).
  const state = run.active ? "running" : run.finishedAt ? (run.cancelled ? "cancelled" : "finished") : "idle";
  return h("div", { class: "run-progress", id: "run-progress", hidden: !run.active && !run.finishedAt, "data-run-state": state, "data-run-number": run.number, "data-full": String(run.full) },
    h("progress", { class: "progress", id: "checks-progress", max: run.total || 1, value: run.done, "aria-label": "Checks finished" }),
    h("p", { id: "checks-status", role: "status", "aria-live": "polite", text: label }));
}

/** Unknown results in `group` that say the server could not be reached. */
function unreachableIn(ctx, group, results) {
  return (ctx.snapshot.checks || []).filter((s) => s.group === group)
    .map((s) => results.get(s.id))
    .filter((r) => r && r.status === "unknown" && UNREACHABLE.test(r.summary || ""));
}

/** One note for every server Lockstep could not reach, with one Retry; never a copy per check. */
function unreachableNotes(view, results) {
  const { ctx } = view;
  const hit = groupViews(ctx.snapshot).map((g) => [g.id, unreachableIn(ctx, g.id, results)]).filter(([, rs]) => rs.length > 0);
  if (!hit.length) return null;
  const groups = hit.map(([g]) => g);
  const names = groups.map((g) => groupTitle(ctx.snapshot, g));
  const count = hit.reduce((n, [, rs]) => n + rs.length, 0);
  const custom = groups.filter((g) => ctx.snapshot.custom_addresses?.[g] || ctx.snapshot.state.settings?.accounts?.[g]?.base_url);
  const why = custom.length
    ? `${listWords(custom.map((g) => groupTitle(ctx.snapshot, g)))} ${custom.length === 1 ? "uses" : "use"} an address you set instead of the platform's own; that is the likely cause. Check it under Accounts & tokens.`
    : "Your connection, or the platform itself, may be down. Nothing is counted against you.";
  return h("div", { class: "banner banner-notice unreachable", id: "unreachable-note", role: "status", "data-unreachable": groups.join(" ") },
    h("div", { class: "banner-body" },
      h("p", { class: "banner-title", text: `Lockstep could not reach ${listWords(names)}, so ${plural(count, "check")} could not run.` }),
      h("p", { class: "banner-next", text: why })),
    h("div", { class: "banner-actions" },
      h("button", { type: "button", class: "btn", id: "retry-unreachable", "aria-disabled": run.active ? "true" : null, text: "Retry", onclick: () => start(view, groups) }),
      custom.length ? h("button", { type: "button", class: "btn btn-quiet", text: "Go to Accounts", onclick: () => ctx.navigate("accounts") }) : null));
}

/** "GitHub", "GitHub and npm", "GitHub, npm and PyPI". */
function listWords(names) {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

function rowFor(view, spec, results) {
  const r = results.get(spec.id);
  const unreachable = r && r.status === "unknown" && UNREACHABLE.test(r.summary || "");
  const shown = unreachable && !run.pending.has(spec.id)
    ? { ...r, summary: `Could not reach ${groupTitle(view.ctx.snapshot, spec.group)}; see the note above.` }
    : r;
  const row = withFindings(resultRow(spec, shown, {
    status: run.pending.has(spec.id) ? "running" : undefined,
    notRechecked: run.notRechecked.has(spec.id),
  }), shown);
  if (run.pending.has(spec.id)) showProgress(row, spec.id);
  return row;
}

/** "Checking 12 of 300 packages…" under a running check that works through many. */
function showProgress(scope, id) {
  const p = run.progress.get(id);
  const row = scope.matches?.(".result") ? scope : scope.querySelector(`.result[data-check-id="${CSS.escape(id)}"]`);
  const summary = row?.querySelector(".result-summary");
  if (!p || !summary) return;
  const line = summary.querySelector(".result-progress") || summary.appendChild(h("span", { class: "result-progress", "data-done": "" }));
  line.dataset.done = p.done;
  const one = { packages: "package", repositories: "repository", crates: "crate", gems: "gem", projects: "project" }[p.noun] || p.noun;
  line.textContent = `Checking: ${p.done} of ${plural(p.total, one, p.noun)} done…`;
}

/** What a group needs before its "Not set up" checks can run (the core's hint, "{checks}" filled in). */
function setUpHint(view, group, count) {
  const hint = groupViews(view.ctx.snapshot).find((g) => g.id === group)?.setup_hint || "";
  const text = hint.replace("{checks}", plural(count, "check"));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function groupSection(view, group, specs, results) {
  const { ctx } = view;
  const ordered = [...specs].sort((a, b) => compareCheckStatus(rowStatus(a, results), rowStatus(b, results)));
  const shown = ordered.filter((s) => rowStatus(s, results) !== "skipped");
  const folded = ordered.filter((s) => rowStatus(s, results) === "skipped");
  return h("section", { class: "card check-group", "data-group": group, "aria-labelledby": `g-${group}` },
    h("div", { class: "group-head" },
      h("h2", { id: `g-${group}`, text: groupTitle(ctx.snapshot, group) }),
      h("button", {
        type: "button", class: "btn btn-quiet", "data-run-group": group, "aria-describedby": `g-${group}`,
        "aria-disabled": run.active ? "true" : null, text: "Run these", onclick: () => start(view, [group]),
      })),
    h("div", { class: "result-list", "data-list": group }, shown.map((spec) => rowFor(view, spec, results))),
    folded.length ? h("div", { class: "not-set-up", "data-not-set-up": group },
      h("p", {},
        h("span", { class: "badge check-skipped" }, h("span", { class: "badge-icon", "aria-hidden": "true", text: "–" }), h("span", { class: "badge-word", text: "Not set up" })),
        " ", setUpHint(view, group, folded.length), " ",
        groupViews(ctx.snapshot).find((g) => g.id === group)?.setup_on_accounts ? h("button", { type: "button", class: "btn btn-link", "data-setup": group, text: "Go to Accounts →", onclick: () => ctx.navigate("accounts") }) : null),
      h("details", { class: "fold", "data-fold": group },
        h("summary", { text: `Show ${plural(folded.length, "check")} not set up` }),
        h("div", { class: "result-list" }, folded.map((spec) => rowFor(view, spec, results))))) : null);
}

function rowStatus(spec, results) {
  return run.pending.has(spec.id) ? "running" : results.get(spec.id)?.status || "pending";
}

/** Replaces one row where it is, keeping focus and what is open, instead of redrawing the screen. */
function updateRow(view, id) {
  const { root, ctx } = view;
  const old = root.querySelector(`.result[data-check-id="${CSS.escape(id)}"]`);
  const spec = (ctx.snapshot.checks || []).find((c) => c.id === id);
  if (!old || !spec) return;
  const wasOpen = old.tagName === "DETAILS" && old.open;
  const hadFocus = old.contains(document.activeElement);
  const row = rowFor(view, spec, resultsById(ctx.snapshot.latest_results));
  old.replaceWith(row);
  if (wasOpen && row.tagName === "DETAILS") row.open = true;
  if (hadFocus) (row.querySelector("summary") || row).focus({ preventScroll: true });
  const progress = root.querySelector("#checks-progress");
  if (progress) {
    progress.max = run.total || 1;
    progress.value = run.done;
  }
  const status = root.querySelector("#checks-status");
  if (status) status.textContent = `${run.done} of ${run.total || "?"} checks finished`;
}

async function start(view, groups) {
  const { ctx } = view;
  if (run.active) return;
  const specs = (ctx.snapshot.checks || []).filter((s) => !groups || groups.includes(s.group));
  Object.assign(run, {
    number: run.number + 1, active: true, full: !groups, groups, done: 0, total: specs.length, pending: new Set(specs.map((s) => s.id)),
    notRechecked: new Set(), changes: null, cancelled: false, finishedAt: null, reviewId: null, previousId: null,
    progress: new Map(),
  });
  run.redraw?.();
  try {
    const outcome = await ipc.runChecks({ groups, journey: ctx.snapshot.state.journey }, (msg) => onEvent(ctx, msg));
    if (outcome) {
      ctx.setResults(outcome.results);
      ctx.setAssessment(outcome.assessment);
      run.changes = outcome.changes || run.changes;
      run.cancelled = Boolean(outcome.cancelled);
      run.reviewId = outcome.review_id ?? null;
      run.previousId = outcome.previous_review_id ?? null;
      run.done = outcome.finished ?? run.done;
      run.notRechecked = new Set(outcome.not_rechecked || []);
      if (outcome.not_saved) {
        ctx.showError({ kind: "io", message: `These results are shown but could not be saved: ${outcome.not_saved}` });
      }
    }
  } catch (err) {
    ctx.showError(err);
  } finally {
    run.active = false;
    run.pending.clear();
    run.finishedAt = new Date().toISOString();
    run.redraw?.();
    ctx.toast(run.cancelled ? `Checks cancelled: ${run.done} of ${run.total} finished; the rest keep their previous results.` : `Checks finished. ${tally(ctx, specs)}`);
    // Only a review moves the Overview's "next review due".
    if (run.reviewId) ctx.refreshDue();
  }
}

/** "2 need fixing, 1 worth a look, 12 good." for the checks just run. */
function tally(ctx, specs) {
  const results = resultsById(ctx.snapshot.latest_results);
  const counts = new Map();
  for (const spec of specs) {
    const st = results.get(spec.id)?.status;
    if (st) counts.set(st, (counts.get(st) || 0) + 1);
  }
  const parts = [...counts.keys()].sort(compareCheckStatus)
    .map((st) => `${counts.get(st)} ${(CHECK_STATES[st]?.word || st).toLowerCase()}`);
  return parts.length ? `${parts.join(", ")}.` : "";
}

function onEvent(ctx, msg) {
  if (!msg) return;
  if (msg.event === "started") run.total = msg.total;
  if (msg.event === "progress") {
    run.progress.set(msg.id, msg);
    run.showProgress?.(msg.id);
    return;
  }
  if (msg.event === "result" && msg.result) {
    ctx.setResults([{ ...msg.result, checked_at: new Date().toISOString() }]);
    run.pending.delete(msg.result.id);
    run.progress.delete(msg.result.id);
    run.done = msg.done;
    run.total = msg.total;
    const spec = (ctx.snapshot.checks || []).find((c) => c.id === msg.result.id);
    const word = CHECK_STATES[msg.result.status]?.word || msg.result.status;
    announce(`${msg.done} of ${msg.total} checks finished. ${spec?.title || "A check"}: ${word}.`);
    // Rows change in place while the run streams; the whole screen redraws only at the end.
    run.updateRow?.(msg.result.id);
    return;
  }
  if (msg.event === "finished") {
    run.cancelled = Boolean(msg.cancelled);
    run.changes = msg.changes || null;
    run.reviewId = msg.review_id ?? null;
    run.previousId = msg.previous_review_id ?? null;
    run.done = msg.finished ?? run.done;
    run.notRechecked = new Set(msg.not_rechecked || []);
  }
}

async function stop(view) {
  try {
    await ipc.cancelChecks();
    view.ctx.toast("Cancelling; checks already under way finish first.");
  } catch (err) {
    view.ctx.showError(err);
  }
}
