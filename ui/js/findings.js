// Findings: what a check found per package or repository (its `subjects`), worst first and
// grouped by status. A long group folds: a maintainer with 300 packages sees "6 worth a look"
// in full and "294 good" as one line to open. Rows are built only when their result or group
// is opened, so hundreds of subjects cost nothing until someone looks.

import { h, plural } from "./dom.js";
import { CHECK_STATES } from "./model.js";
import { plainWords } from "./results.js";

/** Worst first; `skipped` never comes from a subject but is kept last if it does. */
const ORDER = ["fail", "warn", "unknown", "pass", "skipped"];

/** More than this many in one status folds (a handful stays in view). */
export const HANDFUL = 5;

const GROUP_WORDS = {
  fail: (n) => `${n} ${n === 1 ? "needs" : "need"} fixing`,
  warn: (n) => `${n} worth a look`,
  unknown: (n) => `${n} could not be checked`,
  pass: (n) => `${n} good`,
  skipped: (n) => `${n} not checked`,
};

/**
 * Puts `result.subjects` where `row` (from `resultRow`) lists its evidence. Evidence lines
 * about no subject (a note on the cache, say) stay as they were. Rows without subjects are
 * returned untouched.
 */
export function withFindings(row, result) {
  const subjects = result?.subjects;
  const evidence = row?.querySelector?.(":scope > .result-body > ul.evidence");
  if (!Array.isArray(subjects) || !subjects.length || !evidence) return row;
  const names = new Set(subjects.map((s) => s.name));
  const notes = (result.evidence || []).filter((line) => !names.has(headOf(line)));
  const holder = h("div", { class: "findings", "data-check-id": result.id, "data-count": subjects.length });
  const rest = notes.length ? [h("ul", { class: "evidence" }, notes.map((n) => h("li", { text: plainWords(n) })))] : [];
  evidence.replaceWith(holder, ...rest);
  // Built on first opening; a row redrawn open (updateRow) fills at once.
  let built = false;
  const build = () => {
    if (built || !row.open) return;
    built = true;
    holder.append(findingsBlock(subjects));
  };
  row.addEventListener("toggle", build);
  queueMicrotask(build);
  return row;
}

/** "left-pad 1.0.0: ..." → "left-pad"; "owner/repo path:3: ..." → "owner/repo". */
function headOf(line) {
  const m = /^[^\s:]+/.exec(String(line));
  return m ? m[0] : "";
}

/** The groups, worst first: each in view when small, folded and built on demand when long. */
export function findingsBlock(subjects) {
  const byStatus = new Map();
  for (const s of subjects) {
    const st = ORDER.includes(s.status) ? s.status : "unknown";
    if (!byStatus.has(st)) byStatus.set(st, []);
    byStatus.get(st).push(s);
  }
  const groups = ORDER.filter((st) => byStatus.has(st)).map((st) => group(st, byStatus.get(st)));
  return h("div", { class: "finding-groups" }, groups);
}

function group(status, items) {
  const heading = GROUP_WORDS[status](items.length);
  const attrs = { class: `finding-group finding-group-${status}`, "data-status": status, "data-count": items.length };
  if (items.length <= HANDFUL) {
    return h("section", attrs,
      head(status, heading),
      list(items));
  }
  // Problems stay in view (the first handful); what is fine or unknown folds whole.
  const urgent = status === "fail" || status === "warn";
  const shown = urgent ? items.slice(0, HANDFUL) : [];
  const rest = urgent ? items.slice(HANDFUL) : items;
  const fold = h("details", { class: "fold finding-fold", "data-fold-status": status },
    h("summary", { text: urgent ? `Show ${rest.length} more` : `Show all ${rest.length}: ${sample(rest)}` }));
  fold.addEventListener("toggle", () => {
    if (fold.open && !fold.querySelector("ul")) fold.append(list(rest));
  });
  return h("section", attrs,
    head(status, heading),
    shown.length ? list(shown) : null,
    fold);
}

/** The group's shape (never colour alone) and its words: "✕ 2 need fixing". */
function head(status, words) {
  return h("h5", { class: "finding-group-head" },
    h("span", { class: `badge check-${status}`, "aria-hidden": "true" },
      h("span", { class: "badge-icon", text: CHECK_STATES[status]?.icon || "?" })),
    h("span", { text: words }));
}

/** "left-pad, is-odd, is-even and 211 more": a taste of a folded group. */
function sample(items) {
  const names = [...new Set(items.map((s) => s.name))];
  const first = names.slice(0, 3).join(", ");
  return names.length > 3 ? `${first} and ${plural(names.length - 3, "more", "more")}` : first;
}

function list(items) {
  return h("ul", { class: "finding-list" }, items.map(row));
}

/** One finding: the package or repository, where, what was found, and its own fix. */
function row(s) {
  return h("li", { class: `finding finding-${s.status}`, "data-status": s.status, "data-name": s.name },
    h("span", { class: "finding-name", text: s.name }),
    s.location ? h("span", { class: "finding-where", text: plainWords(s.location) }) : null,
    h("span", { class: "finding-detail", text: plainWords(s.detail) }),
    s.fix ? h("span", { class: "finding-fix" }, h("strong", { text: "Fix: " }), plainWords(s.fix)) : null);
}
