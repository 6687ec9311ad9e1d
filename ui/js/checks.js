// Checks: live account and device results, grouped by platform, streaming in as they finish.

import { h, mount, fmtDateTime } from "./dom.js";
import * as ipc from "./ipc.js";
import { GROUP_TITLES, GROUP_ORDER, CHECK_STATES, compareCheckStatus, resultsById } from "./model.js";
import { screenHeader, announce } from "./widgets.js";
import { resultRow, specsById } from "./results.js";
import { changeList } from "./history.js";

// A run survives leaving the screen: its progress is kept here and redrawn on return.
const run = { number: 0, active: false, done: 0, total: 0, pending: new Set(), changes: null, cancelled: false, finishedAt: null, reviewId: null, previousId: null };

export function render(root, ctx) {
  const view = { root, ctx, alive: true };
  draw(view);
  run.redraw = () => view.alive && draw(view);
  return () => { view.alive = false; };
}

function draw(view) {
  const { root, ctx } = view;
  // Redraws keep what the user opened and where their focus was.
  const open = new Set([...root.querySelectorAll("details[open]")].map((d) => d.dataset.checkId));
  const focusedId = document.activeElement?.id;
  const results = resultsById(ctx.snapshot.latest_results);
  const specs = ctx.snapshot.checks || [];
  const groups = GROUP_ORDER.filter((g) => specs.some((s) => s.group === g));
  const runButton = h("button", {
    type: "button", class: "btn btn-primary", id: "run-checks", disabled: run.active,
    text: run.active ? "Checking…" : "Run all checks", onclick: () => start(view, null),
  });
  const cancel = run.active ? h("button", { type: "button", class: "btn", id: "cancel-checks", text: "Cancel", onclick: () => stop(view) }) : null;
  mount(root, h("section", { class: "screen", id: "checks" },
    screenHeader("Checks", "Lockstep asks each platform and this device directly. Unknown means it could not tell, and says why; it is never counted against you.", runButton, cancel),
    progressBlock(),
    run.changes?.length ? h("section", { class: "card", id: "run-changes", "aria-labelledby": "changes-h" },
      h("h2", { id: "changes-h", text: run.cancelled ? "Run cancelled: what changed in the checks that finished" : "What changed since your last review" }),
      changeList(run.changes, { specs: specsById(ctx.snapshot) })) : null,
    !run.active && run.reviewId && !run.changes?.length ? h("section", { class: "card", id: "run-no-changes", "aria-live": "polite" },
      h("p", { text: run.previousId
        ? "Nothing changed since your last review."
        : "This is your first review. The next one will show what changed since today." })) : null,
    groups.map((g) => groupSection(view, g, specs.filter((s) => s.group === g), results))));
  for (const d of root.querySelectorAll("details[data-check-id]")) if (open.has(d.dataset.checkId)) d.open = true;
  if (focusedId) document.getElementById(focusedId)?.focus({ preventScroll: true });
}

function progressBlock() {
  const label = run.active
    ? `${run.done} of ${run.total || "?"} checks finished`
    : run.finishedAt
      ? run.cancelled
        ? `Cancelled at ${fmtDateTime(run.finishedAt)}; ${run.done} of ${run.total} checks had finished. Their results are kept.`
        : `Finished at ${fmtDateTime(run.finishedAt)}: ${run.done} of ${run.total} checks ran.`
      : "";
  // data-run-state and data-run-number tell one run's end from the next (end-to-end tests wait on them).
  const state = run.active ? "running" : run.finishedAt ? (run.cancelled ? "cancelled" : "finished") : "idle";
  return h("div", { class: "run-progress", id: "run-progress", hidden: !run.active && !run.finishedAt, "data-run-state": state, "data-run-number": run.number },
    h("progress", { class: "progress", id: "checks-progress", max: run.total || 1, value: run.done, "aria-label": "Checks finished" }),
    h("p", { id: "checks-status", role: "status", "aria-live": "polite", text: label }));
}

function groupSection(view, group, specs, results) {
  const ordered = [...specs].sort((a, b) => compareCheckStatus(results.get(a.id)?.status, results.get(b.id)?.status));
  return h("section", { class: "card check-group", "data-group": group, "aria-labelledby": `g-${group}` },
    h("div", { class: "group-head" },
      h("h2", { id: `g-${group}`, text: GROUP_TITLES[group] || group }),
      h("button", {
        type: "button", class: "btn btn-quiet", "data-run-group": group, "aria-describedby": `g-${group}`,
        disabled: run.active, text: "Run these", onclick: () => start(view, [group]),
      })),
    h("div", { class: "result-list", "aria-live": "polite" }, ordered.map((spec) =>
      resultRow(spec, results.get(spec.id), { status: run.pending.has(spec.id) ? "running" : undefined }))));
}

async function start(view, groups) {
  const { ctx } = view;
  const specs = (ctx.snapshot.checks || []).filter((s) => !groups || groups.includes(s.group));
  Object.assign(run, { number: run.number + 1, active: true, done: 0, total: specs.length, pending: new Set(specs.map((s) => s.id)), changes: null, cancelled: false, finishedAt: null, reviewId: null, previousId: null });
  run.redraw?.();
  try {
    const outcome = await ipc.runChecks({ groups, journey: ctx.snapshot.state.journey }, (msg) => onEvent(ctx, msg));
    if (outcome) {
      ctx.setResults(outcome.results);
      run.changes = outcome.changes || run.changes;
      run.cancelled = Boolean(outcome.cancelled);
      run.reviewId = outcome.review_id ?? null;
      run.previousId = outcome.previous_review_id ?? null;
    }
  } catch (err) {
    ctx.showError(err);
  } finally {
    run.active = false;
    run.pending.clear();
    run.finishedAt = new Date().toISOString();
    run.redraw?.();
    ctx.toast(run.cancelled ? "Checks cancelled. Results so far are kept." : `Checks finished. ${tally(ctx, specs)}`);
    // A finished run is a new review: the Overview's "next review due" moves on.
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
  if (msg.event === "result" && msg.result) {
    ctx.setResults([msg.result]);
    run.pending.delete(msg.result.id);
    run.done = msg.done;
    run.total = msg.total;
    const spec = (ctx.snapshot.checks || []).find((c) => c.id === msg.result.id);
    const word = CHECK_STATES[msg.result.status]?.word || msg.result.status;
    announce(`${msg.done} of ${msg.total} checks finished. ${spec?.title || msg.result.id}: ${word}.`);
  }
  if (msg.event === "finished") {
    run.cancelled = Boolean(msg.cancelled);
    run.changes = msg.changes || null;
    run.reviewId = msg.review_id ?? null;
    run.previousId = msg.previous_review_id ?? null;
  }
  run.redraw?.();
}

async function stop(view) {
  try {
    await ipc.cancelChecks();
    view.ctx.toast("Cancelling; checks already under way finish first.");
  } catch (err) {
    view.ctx.showError(err);
  }
}
