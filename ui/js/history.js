// History: past reviews on a timeline, what changed (worse first), reports and progress files.

import { h, mount, fmtDate, fmtDateTime, plural } from "./dom.js";
import * as ipc from "./ipc.js";
import { JOURNEYS, CHECK_STATES, ANSWER_WORDS, compareCheckStatus } from "./model.js";
import { screenHeader, infoBanner } from "./widgets.js";
import { resultRow, specsById } from "./results.js";
import { tripDates } from "./travel.js";
import { withFindings } from "./findings.js";

// The same order as the core's: what may need you to act first, good news last.
const CHANGE_ORDER = ["worse", "owner_removed", "key_removed", "expiry_closer", "owner_added", "key_added",
  "item_undone", "check_removed", "check_added", "changed", "better", "item_done"];
const CHANGE_WORDS = {
  worse: { word: "Worse", icon: "▼", tone: "bad" },
  owner_removed: { word: "Owner removed", icon: "−", tone: "bad" },
  key_removed: { word: "Key gone", icon: "−", tone: "bad" },
  expiry_closer: { word: "Expiry closer", icon: "◷", tone: "bad" },
  owner_added: { word: "New owner", icon: "+", tone: "note" },
  key_added: { word: "New key", icon: "+", tone: "note" },
  item_undone: { word: "Answer cleared", icon: "○", tone: "note" },
  check_removed: { word: "Check not run", icon: "–", tone: "note" },
  check_added: { word: "New check", icon: "+", tone: "note" },
  changed: { word: "Changed", icon: "~", tone: "note" },
  better: { word: "Better", icon: "▲", tone: "good" },
  item_done: { word: "Marked done", icon: "✓", tone: "good" },
};

/**
 * Changes, worse first. Exported for the Checks screen's end-of-run summary. With `specs`
 * (check specs by id), a status change reads with the check's title and the app's own status
 * words, and each change that may need you offers a way to the check's "What to do".
 */
export function changeList(changes, { first = false, specs = null } = {}) {
  if (!changes || changes.length === 0) {
    return h("p", { class: "muted", id: "no-changes", text: first
      ? "This is your first review, so there is nothing to compare with yet."
      : "Nothing changed since the review before." });
  }
  const rank = (k) => (CHANGE_ORDER.includes(k) ? CHANGE_ORDER.indexOf(k) : CHANGE_ORDER.indexOf("changed"));
  const sorted = [...changes].sort((a, b) => rank(a.kind) - rank(b.kind));
  return h("ul", { class: "change-list", id: "change-list" }, sorted.map((c) => {
    const w = changeWords(c);
    const spec = specs?.get(c.id);
    return h("li", { class: `change change-${w.tone}`, "data-kind": c.kind, "data-check-id": c.id, "data-from": c.from, "data-to": c.to },
      h("span", { class: "badge" }, h("span", { class: "badge-icon", "aria-hidden": "true", text: w.icon }), h("span", { class: "badge-word", text: w.word })),
      h("span", { class: "change-text" },
        h("span", { class: "change-summary", text: changeText(c, spec) }),
        !c.summary && (c.from || c.to) ? h("span", { class: "muted change-fromto", text: ` (${c.from ?? "–"} → ${c.to ?? "–"})` }) : null,
        spec && w.tone === "bad" ? [" ", h("button", {
          type: "button", class: "btn btn-link change-fix", text: "What to do",
          "aria-label": `What to do: ${spec.title || c.id}`, onclick: (e) => showCheck(e.target, c.id),
        })] : null));
  }));
}

/**
 * A failure and a warning get different badges; a result that was unknown (or not set up)
 * before is news, not the same kind of "worse" as a check that passed and now fails.
 */
function changeWords(c) {
  if (c.kind === "worse" && (c.from === "unknown" || c.from === "skipped")) return { word: c.to === "fail" ? "Now needs fixing" : "Now worth a look", icon: "•", tone: "bad" };
  if (c.kind === "worse" && c.to === "fail") return { word: "Now fails", icon: "▼", tone: "bad" };
  if (c.kind === "worse" && c.to === "warn") return { word: "Now a warning", icon: "▽", tone: "bad" };
  return CHANGE_WORDS[c.kind] || { word: c.kind.replace(/_/g, " "), icon: "•", tone: "note" };
}

/**
 * "GitHub two-factor authentication: was Good, now Needs fixing. Two-factor authentication is
 * off for octo." from the core's "github.two_factor went from pass to fail: …" (which keeps its
 * terse form for the terminal). Any other summary is shown as it is.
 */
function changeText(c, spec) {
  const summary = c.summary || c.id;
  const prefix = `${c.id} went from ${c.from} to ${c.to}: `;
  if (!spec?.title || !c.from || !c.to || !summary.startsWith(prefix)) return summary;
  const word = (st) => CHECK_STATES[st]?.word || st;
  return `${spec.title}: was ${word(c.from)}, now ${word(c.to)}. ${summary.slice(prefix.length)}`;
}

/** Opens the check's row on the same screen and moves focus to it. */
function showCheck(from, id) {
  const row = from.closest(".screen")?.querySelector(`.result[data-check-id="${CSS.escape(id)}"]`);
  if (!row) return;
  if (row.tagName === "DETAILS") row.open = true;
  const target = row.querySelector("summary") || row;
  if (target === row) row.setAttribute("tabindex", "-1");
  target.scrollIntoView({ block: "start" });
  target.focus({ preventScroll: true });
}

export function render(root, ctx) {
  const view = { root, ctx, reviews: null, more: false, loadingMore: false, notices: [], openId: null, opened: null, importPath: null, preview: null, alive: true };
  draw(view);
  load(view);
  return () => { view.alive = false; };
}

async function load(view) {
  try {
    const list = await ipc.listReviews();
    view.reviews = list?.reviews || [];
    view.more = Boolean(list?.more);
    view.notices = list?.notices || [];
  } catch (err) {
    view.reviews = [];
    view.ctx.showError(err);
  }
  draw(view);
}

/** Appends the next page of older reviews and keeps focus on the list where it was. */
async function loadMore(view) {
  if (view.loadingMore || !view.reviews?.length) return;
  view.loadingMore = true;
  const last = view.reviews[view.reviews.length - 1].id;
  try {
    const page = await ipc.listReviews(last);
    const seen = new Set(view.reviews.map((r) => r.id));
    view.reviews = view.reviews.concat((page?.reviews || []).filter((r) => !seen.has(r.id)));
    view.more = Boolean(page?.more);
    view.notices = view.notices.concat((page?.notices || []).filter((n) => !view.notices.includes(n)));
  } catch (err) {
    view.ctx.showError(err);
  }
  view.loadingMore = false;
  const firstNew = view.reviews.findIndex((r) => r.id === last) + 1;
  draw(view);
  if (!view.alive) return;
  const target = view.root.querySelectorAll(".timeline-item")[firstNew] || view.root.querySelector("#show-older");
  target?.focus();
}

function draw(view) {
  if (!view.alive) return; // an answer that arrives after the user left must not redraw over another screen
  mount(view.root, h("section", { class: "screen", id: "history" },
    screenHeader("History", "Each time you run all checks (or the periodic review), Lockstep keeps a review on this device, so the next one can show what changed. Running one platform's checks updates its latest results but is not a review. Finished trips are kept here too."),
    view.notices.map((n) => infoBanner("A review file was set aside", n, [], { kind: "notice" })),
    h("div", { class: "history-layout" },
      h("div", { class: "history-side" }, timeline(view), tripsCard(view)),
      h("div", { class: "history-detail" }, detail(view), exportsCard(view), progressCard(view)))));
}

function timeline(view) {
  const box = h("section", { class: "card timeline", "aria-labelledby": "timeline-h" }, h("h2", { id: "timeline-h", text: "Past reviews" }));
  if (view.reviews === null) box.append(h("p", { class: "muted", text: "Loading…" }));
  else if (view.reviews.length === 0) box.append(h("p", { text: "No reviews yet. Run the checks once and the first one appears here." }));
  else {
    const sorted = [...view.reviews].sort((a, b) => String(b.checked_at).localeCompare(String(a.checked_at)));
    box.append(h("ol", { class: "timeline-list" }, sorted.map((r) => h("li", {},
      h("button", {
        type: "button", class: "timeline-item", "data-review-id": r.id,
        "aria-current": r.id === view.openId ? "true" : null, onclick: () => open(view, r.id),
      },
      h("span", { class: "timeline-date", text: fmtDateTime(r.checked_at) }),
      h("span", { class: "muted", text: JOURNEYS[r.journey]?.title ? `Review (${JOURNEYS[r.journey].title})` : "Review" }),
      countsLine(r.counts))))));
    if (view.more) {
      box.append(h("p", {}, h("button", {
        type: "button", class: "btn", id: "show-older", text: view.loadingMore ? "Loading…" : "Show older reviews",
        disabled: view.loadingMore ? true : null, onclick: () => loadMore(view),
      })));
    }
  }
  return box;
}

/** Finished trips, newest first: when, which steps were done before and after, the device checks. */
function tripsCard(view) {
  const trips = [...(view.ctx.snapshot.state.past_trips || [])].reverse();
  const box = h("section", { class: "card", id: "past-trips", "aria-labelledby": "trips-h" }, h("h2", { id: "trips-h", text: "Past trips" }));
  if (trips.length === 0) {
    box.append(h("p", { class: "muted", text: "No finished trips yet. Trips you finish on the Travel screen are kept here." }));
    return box;
  }
  const items = view.ctx.snapshot.catalogue.items.filter((i) => i.travel_phase);
  const specs = specsById(view.ctx.snapshot);
  box.append(h("ol", { class: "trip-list" }, trips.map((t) => h("li", { class: "past-trip", "data-trip-started": t.started_at },
    h("h3", { text: `Trip of ${tripDates(t)}` }),
    ["before", "after"].map((phase) => tripPhase(t, phase, items, specs))))));
  return box;
}

function tripPhase(trip, phase, items, specs) {
  const steps = items.filter((i) => i.travel_phase === phase);
  const answers = trip.answers || {};
  const done = steps.filter((i) => answers[i.id]?.status === "done");
  const check = (trip.device_checks || []).find((c) => c.phase === phase);
  const title = phase === "before" ? "Before leaving" : "After coming back";
  return h("div", { class: "past-trip-phase", "data-phase": phase },
    h("p", { class: "past-trip-count", text: `${title}: ${done.length} of ${plural(steps.length, "step")} done.` }),
    h("ul", { class: "past-trip-steps" }, steps.map((i) => {
      const a = answers[i.id];
      const word = a ? ANSWER_WORDS[a.status] || a.status : "Not done";
      return h("li", { "data-item-id": i.id, "data-answer": a?.status || "none" },
        h("span", { "aria-hidden": "true", text: a?.status === "done" ? "✓ " : "○ " }), `${i.title}: ${word}`);
    })),
    check ? h("p", { class: "past-trip-device" }, `Device checked ${fmtDateTime(check.checked_at)}: `,
      check.results.map((r, n) => [n ? "; " : "", `${specs.get(r.id)?.title || "a device check"}: ${CHECK_STATES[r.status]?.word || r.status}`]))
      : h("p", { class: "muted past-trip-device", text: "Device not checked in this part of the trip." }));
}

function countsLine(counts = {}) {
  const keys = Object.keys(counts).filter((k) => counts[k] > 0).sort(compareCheckStatus);
  return h("span", { class: "counts" }, keys.map((k) =>
    h("span", { class: `count check-${k}` },
      h("span", { "aria-hidden": "true", text: CHECK_STATES[k]?.icon || "" }),
      ` ${counts[k]} ${(CHECK_STATES[k]?.word || k).toLowerCase()}`)));
}

async function open(view, id) {
  view.openId = id;
  view.opened = null;
  draw(view);
  try {
    view.opened = await ipc.openReview(id);
  } catch (err) {
    view.ctx.showError(err);
  }
  draw(view);
  view.root.querySelector("#review-h")?.focus();
}

function detail(view) {
  if (!view.openId) return null;
  const card = h("section", { class: "card", id: "review-detail", "data-review-id": view.openId, "data-loaded": view.opened ? "true" : "false", "aria-labelledby": "review-h" });
  if (!view.opened) return mount(card, h("h2", { id: "review-h", tabindex: "-1", text: "Opening the review…" }));
  const { review, changes } = view.opened;
  const specs = specsById(view.ctx.snapshot);
  const results = [...(review.results || [])].sort((a, b) => compareCheckStatus(a.status, b.status));
  return mount(card,
    h("h2", { id: "review-h", tabindex: "-1", text: `Review of ${fmtDateTime(review.checked_at)}` }),
    h("h3", { text: "What changed since the one before" }),
    changeList(changes, { first: isOldest(view, review.id), specs: reviewSpecs(specs, review) }),
    h("h3", { text: `Results (${plural(results.length, "check")})` }),
    h("div", { class: "result-list" }, results.map((r) => withFindings(resultRow(specs.get(r.id) || { id: r.id, title: r.id }, r), r))),
    h("p", {}, h("button", { type: "button", class: "btn", text: "Export this review…", onclick: () => exportReport(view, review.id) })));
}

/** The specs of the checks this review holds (so "What to do" only points at rows shown). */
function reviewSpecs(specs, review) {
  const ids = new Set((review.results || []).map((r) => r.id));
  return new Map([...specs].filter(([id]) => ids.has(id)));
}

function isOldest(view, id) {
  if (view.more) return false; // older reviews exist beyond the ones shown
  const times = (view.reviews || []).map((r) => String(r.checked_at)).sort();
  const mine = (view.reviews || []).find((r) => r.id === id);
  return Boolean(mine) && String(mine.checked_at) === times[0];
}

function exportsCard(view) {
  const fmt = h("select", { id: "report-format", "aria-label": "Report format" },
    h("option", { value: "md", text: "Markdown (for an issue or a terminal)" }),
    h("option", { value: "html", text: "HTML (printable, self-contained)" }),
    h("option", { value: "json", text: "JSON (for scripts and other tools)" }));
  const sumFmt = h("select", { id: "summary-format", "aria-label": "Summary format" },
    h("option", { value: "md", text: "Markdown" }), h("option", { value: "html", text: "HTML" }));
  const emails = h("input", { type: "checkbox", id: "sum-emails" });
  const packages = h("input", { type: "checkbox", id: "sum-packages" });
  view.reportFormat = fmt;
  return h("section", { class: "card", "aria-labelledby": "reports-h" },
    h("h2", { id: "reports-h", text: "Reports" }),
    h("div", { class: "field-row" },
      h("label", { for: "report-format", text: "Latest review as" }), fmt,
      h("button", { type: "button", class: "btn", id: "export-report", text: "Export…", onclick: () => exportReport(view, null) })),
    h("h3", { text: "Onboarding summary" }),
    h("p", { class: "muted", text: "A short summary you can share with your project's owners: which topics are done and verified. It never contains a token; emails and package names only if you tick them." }),
    h("div", { class: "field-row" },
      h("label", { for: "summary-format", text: "Format" }), sumFmt),
    h("label", { class: "check-label" }, emails, " Include my account emails"),
    h("label", { class: "check-label" }, packages, " Include my package names"),
    h("p", {}, h("button", {
      type: "button", class: "btn", id: "export-summary", text: "Export summary…",
      onclick: () => exportSummary(view, sumFmt.value, emails.checked, packages.checked),
    })));
}

async function exportReport(view, reviewId) {
  const format = view.reportFormat?.value || "md";
  try {
    const written = await ipc.exportReport(reviewId, format);
    if (!written) return;
    view.ctx.toast(`Report saved to ${written}.`);
  } catch (err) {
    view.ctx.showError(err);
  }
}

async function exportSummary(view, format, includeEmails, includePackages) {
  try {
    const written = await ipc.exportSummary(format, includeEmails, includePackages);
    if (!written) return;
    view.ctx.toast(`Summary saved to ${written}.`);
  } catch (err) {
    view.ctx.showError(err);
  }
}

function progressCard(view) {
  return h("section", { class: "card", "aria-labelledby": "progress-h" },
    h("h2", { id: "progress-h", text: "Move to another computer" }),
    h("p", { class: "muted", text: "Export your answers and settings as one file (never tokens; save those again on the new computer), then import it there." }),
    h("div", { class: "button-row" },
      h("button", { type: "button", class: "btn", id: "export-progress", text: "Export progress…", onclick: () => exportProgress(view) }),
      h("button", { type: "button", class: "btn", id: "import-progress", text: "Import progress…", onclick: () => pickImport(view) })),
    view.preview ? importPreview(view) : null);
}

async function exportProgress(view) {
  try {
    const written = await ipc.exportProgress();
    if (!written) return;
    view.ctx.toast(`Progress saved to ${written}.`);
  } catch (err) {
    view.ctx.showError(err);
  }
}

async function pickImport(view) {
  try {
    const preview = await ipc.previewImport();
    if (!preview) return;
    view.preview = preview;
    draw(view);
    view.root.querySelector("#import-preview h3")?.focus();
  } catch (err) {
    view.ctx.showError(err);
  }
}

/** A count from either a number or a list of item ids. */
function countOf(value) {
  return Array.isArray(value) ? value.length : Number(value) || 0;
}

/** Up to five item titles from a list of ids, for the preview. */
function titlesOf(view, value) {
  if (!Array.isArray(value) || value.length === 0) return "";
  const items = view.ctx.snapshot.catalogue.items;
  // The core leaves out items this version does not know; never show an id as a title.
  const names = value.slice(0, 5).map((v) => {
    const id = typeof v === "string" ? v : v?.id;
    return items.find((i) => i.id === id)?.title || "an item this version does not know";
  });
  return `: ${names.join("; ")}${value.length > 5 ? `; and ${value.length - 5} more` : ""}`;
}

/** Answers the file holds for items this version does not know: a count, never their ids. */
function unknownWords(n) {
  return n === 1
    ? "1 answer is for a checklist item this version of Lockstep does not know; it will be ignored. The file is left as it is, so a newer Lockstep can still import it."
    : `${n} answers are for checklist items this version of Lockstep does not know; they will be ignored. The file is left as it is, so a newer Lockstep can still import them.`;
}

function importPreview(view) {
  const p = view.preview;
  const settings = p.settings_changed || [];
  const added = countOf(p.answers_added);
  const changed = countOf(p.answers_changed);
  const unknown = Number(p.answers_unknown) || 0;
  const nothing = added === 0 && changed === 0 && settings.length === 0 && !p.journey_changed;
  return h("div", { class: "import-preview", id: "import-preview", role: "region", "aria-label": "Import preview" },
    h("h3", { tabindex: "-1", text: nothing ? "This file matches what you already have" : "Before anything changes" }),
    p.summary ? h("p", { text: p.summary }) : null,
    h("ul", {},
      h("li", { text: `${plural(added, "answer")} would be added${titlesOf(view, p.answers_added)}.` }),
      h("li", { text: `${plural(changed, "answer")} you already have would be replaced${titlesOf(view, p.answers_changed)}.` }),
      h("li", { text: settings.length ? `Settings that would change: ${settings.map((s) => s.text).join("; ")}.` : "No settings would change." }),
      ...(p.not_imported || []).map((n) => h("li", { class: "not-imported", text: `Not imported: ${n}.` })),
      unknown ? h("li", { class: "not-imported", id: "import-unknown", text: unknownWords(unknown) }) : null,
      p.journey_changed ? h("li", { text: `Your current journey would become ${JOURNEYS[p.journey_changed]?.title || p.journey_changed}.` }) : null),
    h("p", { class: "muted", text: "Tokens are never part of this file; save them again on this computer under Accounts & tokens." }),
    h("div", { class: "button-row" },
      h("button", { type: "button", class: "btn btn-primary", id: "apply-import", text: "Import and replace", onclick: () => applyImport(view) }),
      h("button", { type: "button", class: "btn btn-quiet", text: "Cancel", onclick: () => { view.preview = null; view.importPath = null; draw(view); } })));
}

async function applyImport(view) {
  try {
    view.ctx.setState(await ipc.applyImport());
    await view.ctx.refreshStanding();
    view.preview = null;
    view.importPath = null;
    view.ctx.toast("Progress imported. Your answers and settings are updated.");
    draw(view);
  } catch (err) {
    view.ctx.showError(err);
  }
}
