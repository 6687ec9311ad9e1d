// The journey walk: a sidebar of topics with progress, one item at a time in the main pane.

import { h, mount, fmtDate, newId, keepFocus } from "./dom.js";
import * as ipc from "./ipc.js";
import {
  JOURNEYS, ITEM_STATES, CHECK_STATES, ANSWER_WORDS, journeyItems, topicSummaries, resultsById, chosenChoice,
  journeyStanding, progressText, standing, itemState,
} from "./model.js";
import { extLink, infoBanner, announce, singleKeysOn, singleKeysToggle } from "./widgets.js";
import { resultRow, specsById, plainWords } from "./results.js";
import { withFindings } from "./findings.js";

/** What the user says when a device check cannot see what they have. */
const CONFIRM_LABELS = {
  "device.password_manager": "I use one Lockstep can't detect",
  "device.security_key": "I have a key Lockstep can't detect",
  "device.disk_encryption": "My disk is encrypted in a way Lockstep can't detect",
  "device.git_signing": "I sign commits in a way Lockstep can't detect",
};

const selectedTab = new Map(); // item id -> platform tab chosen this session

export function render(root, ctx) {
  const view = { root, ctx, pendingChoice: undefined, naOpen: false, running: false, runStatus: new Map() };
  draw(view, { focusTitle: false });
  const onKey = (event) => handleKey(view, event);
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}

function journeyOf(ctx) {
  return ctx.snapshot.state.journey || "onboarding";
}

/**
 * The periodic review walks only what needs a fresh look (the core's `assessment.review`):
 * items whose checks changed at the last review and answers older than the review interval.
 * The list is kept for the whole walk, so an item answered again stays in it, marked
 * "Looked at"; a new review starts a new list.
 */
let walkList = null; // { since, startedAt, ids: string[] }
let wholeReview = undefined; // the review (its time) for which the user chose the whole checklist

function reviewWalk(ctx) {
  const walk = journeyOf(ctx) === "review" ? ctx.snapshot.assessment?.review || null : null;
  if (!walk) return null;
  return wholeReview === (walk.last_review_at || null) ? null : walk;
}

/** Walks the whole review checklist until the next review. */
function walkWhole(view) {
  wholeReview = view.ctx.snapshot.assessment?.review?.last_review_at || null;
  draw(view, { focusTitle: true });
}

function walkIds(ctx, walk) {
  const since = walk.last_review_at || null;
  if (!walkList || walkList.since !== since) {
    walkList = { since, startedAt: new Date().toISOString(), ids: walk.items.map((i) => i.id) };
  } else {
    for (const i of walk.items) if (!walkList.ids.includes(i.id)) walkList.ids.push(i.id);
  }
  const order = new Map(ctx.snapshot.catalogue.items.map((item, n) => [item.id, n]));
  return [...walkList.ids].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
}

/** The items walked now: the review's list, or the journey's items. */
function itemsOf(ctx) {
  const walk = reviewWalk(ctx);
  if (!walk) return journeyItems(ctx.snapshot, journeyOf(ctx));
  const byId = new Map(ctx.snapshot.catalogue.items.map((item) => [item.id, item]));
  return walkIds(ctx, walk).map((id) => byId.get(id)).filter(Boolean);
}

/** Answered (done or not applicable) since the walk began: looked at again. */
function lookedAt(ctx, itemId) {
  const answer = ctx.snapshot.state.answers?.[itemId];
  if (!answer || answer.status === "later") return false;
  const since = walkList?.since && walkList.since < walkList.startedAt ? walkList.since : walkList?.startedAt;
  return Boolean(since) && Date.parse(answer.updated_at) >= Date.parse(since);
}

function currentIndex(ctx, items) {
  const id = ctx.snapshot.state.positions?.[journeyOf(ctx)];
  const i = items.findIndex((item) => item.id === id);
  return i === -1 ? 0 : i;
}

function draw(view, { focusTitle }) {
  // Whatever had focus (a button that started a run, a radio) gets it back after the redraw.
  keepFocus(view.root, () => drawPane(view, { focusTitle }));
}

function drawPane(view, { focusTitle }) {
  const { root, ctx } = view;
  const journey = journeyOf(ctx);
  const items = itemsOf(ctx);
  const walk = reviewWalk(ctx);
  const oldSidebar = root.querySelector(".journey-sidebar");
  const scroll = oldSidebar ? oldSidebar.scrollTop : 0;
  if (walk && items.length === 0) {
    mount(root, nothingToWalk(view, walk));
    if (focusTitle) root.querySelector("#screen-title")?.focus({ preventScroll: false });
    return;
  }
  if (items.length === 0) {
    mount(root, h("section", { class: "screen narrow" },
      h("h1", { id: "screen-title", tabindex: "-1", text: `${JOURNEYS[journey]?.title || journey}: nothing to walk` }),
      h("p", { class: "lead", text: "The checklist has no items for this journey. Choose another journey from the Overview." })));
    return;
  }
  const index = currentIndex(ctx, items);
  const item = items[index];
  mount(root, h("div", { class: "journey-layout" },
    walk ? walkSidebar(view, walk, items, item) : sidebar(view, journey, items, item),
    itemPane(view, journey, items, index)));
  const side = root.querySelector(".journey-sidebar");
  side.scrollTop = scroll;
  side.querySelector("[aria-current]")?.scrollIntoView({ block: "nearest" });
  if (focusTitle) root.querySelector("#screen-title")?.focus({ preventScroll: false });
}

function sidebar(view, journey, items, current) {
  const { ctx } = view;
  const progress = journeyStanding(ctx.snapshot, journey).progress;
  const topics = topicSummaries(ctx.snapshot, journey);
  const progressId = newId("progress");
  return h("nav", { class: "journey-sidebar", "aria-label": "Checklist items" },
    h("div", { class: "journey-name" },
      h("span", { text: JOURNEYS[journey]?.title || journey }),
      h("button", { type: "button", class: "btn btn-link", text: "Change journey", onclick: () => ctx.navigate("choose") })),
    h("p", { id: "progress", class: "progress-text", "data-settled": progress.settled, "data-total": progress.total },
      h("span", { id: progressId, text: progressText(progress) })),
    h("progress", { class: "progress", max: progress.total || 1, value: progress.settled, "aria-labelledby": progressId }),
    journey === "review" ? h("p", { class: "review-hint" },
      h("span", { text: "Items a check can confirm are re-checked when you run the checks. " }),
      h("button", { type: "button", class: "btn btn-link", text: "Run the checks", onclick: () => ctx.navigate("checks") })) : null,
    h("ol", { class: "topic-list" }, topics.map((topic) =>
      h("li", { class: "topic", "data-topic": topic.id },
        h("p", { class: "topic-title" },
          h("span", { text: topic.title }),
          h("span", { class: "topic-count", text: `${topic.settled}/${topic.total}`, "aria-label": `${topic.settled} of ${topic.total} done or verified` })),
        h("ol", { class: "topic-items" }, topic.entries.map(({ item, state, answer }) =>
          h("li", {},
            h("button", {
              type: "button",
              class: "side-item",
              "data-item-id": item.id,
              "data-item-status": answer?.status || "none",
              "data-item-state": state,
              "aria-current": item.id === current.id ? "step" : null,
              // One Tab stop for the whole list (the current item); ↑/↓ move within it, so
              // Tab reaches the item's own buttons without passing every item first.
              tabindex: item.id === current.id ? "0" : "-1",
              onclick: () => goTo(view, items.indexOf(item), true),
            },
            h("span", { class: `side-icon state-${state}`, "aria-hidden": "true", text: sideIcon(state, answer) }),
            h("span", { class: "side-label", text: item.title }),
            h("span", { class: "visually-hidden", text: `, ${sideWord(state, answer)}` })))))))));
}

/** The review walk's sidebar: why it is this list, how far the user got, and the items. */
function walkSidebar(view, walk, items, current) {
  const { ctx } = view;
  const looked = items.filter((i) => lookedAt(ctx, i.id)).length;
  const progressId = newId("progress");
  return h("nav", { class: "journey-sidebar", "aria-label": "Items to look at again" },
    h("div", { class: "journey-name" },
      h("span", { text: JOURNEYS.review?.title || "Periodic review" }),
      h("button", { type: "button", class: "btn btn-link", text: "Change journey", onclick: () => ctx.navigate("choose") })),
    h("p", { class: "review-hint", id: "walk-summary", "data-walk-count": items.length }, walkSummary(walk, items.length)),
    h("p", { id: "progress", class: "progress-text", "data-settled": looked, "data-total": items.length },
      h("span", { id: progressId, text: `${looked} of ${items.length} looked at again` })),
    h("progress", { class: "progress", max: items.length || 1, value: looked, "aria-labelledby": progressId }),
    h("p", { class: "review-hint" },
      h("button", { type: "button", class: "btn btn-link", id: "whole-review", text: "Walk the whole review checklist instead",
        onclick: () => walkWhole(view) })),
    h("ol", { class: "topic-items walk-items" }, items.map((item) => {
      const state = itemState(ctx.snapshot, item.id);
      const done = lookedAt(ctx, item.id);
      return h("li", {},
        h("button", {
          type: "button", class: "side-item", "data-item-id": item.id, "data-looked-at": String(done), "data-item-state": state,
          "aria-current": item.id === current.id ? "step" : null, tabindex: item.id === current.id ? "0" : "-1",
          onclick: () => goTo(view, items.indexOf(item), true),
        },
        h("span", { class: `side-icon state-${done ? "done" : state}`, "aria-hidden": "true", text: done ? "✓" : ITEM_STATES[state].icon }),
        h("span", { class: "side-label", text: item.title }),
        h("span", { class: "visually-hidden", text: done ? ", looked at again" : `, ${ITEM_STATES[state].word}` })));
    })));
}

function walkSummary(walk, count) {
  const since = walk.last_review_at ? `your last review on ${fmtDate(walk.last_review_at)}` : "your last review";
  const parts = [];
  if (walk.changed_checks) parts.push(`${walk.changed_checks} ${walk.changed_checks === 1 ? "check" : "checks"} changed at ${since}`);
  if (walk.old_answers) parts.push(`${walk.old_answers} ${walk.old_answers === 1 ? "answer is" : "answers are"} older than ${walk.interval_days} days`);
  const why = parts.length ? `${parts.join("; ")}.` : "";
  return `${why} This review walks these ${count} ${count === 1 ? "item" : "items"}; everything else stays as you answered it.`.trim();
}

/** Nothing changed and no answer is old: say so, and offer the whole list. */
function nothingToWalk(view, walk) {
  const { ctx } = view;
  const since = walk.last_review_at ? ` at your last review on ${fmtDate(walk.last_review_at)}` : "";
  return h("section", { class: "screen narrow", id: "walk-empty" },
    h("h1", { id: "screen-title", tabindex: "-1", text: "Nothing to look at again" }),
    h("p", { class: "lead", text: `No check changed for the worse${since}, and none of your answers is older than ${walk.interval_days} days.` }),
    h("div", { class: "button-row" },
      h("button", { type: "button", class: "btn btn-primary", text: "Run all checks", onclick: () => ctx.navigate("checks") }),
      h("button", { type: "button", class: "btn", id: "whole-review", text: "Walk the whole review checklist",
        onclick: () => walkWhole(view) })));
}

/** Why an item is in the review walk, in the user's words. */
function walkReasons(view, item) {
  const walk = reviewWalk(view.ctx);
  if (!walk) return null;
  const entry = walk.items.find((i) => i.id === item.id);
  const looked = lookedAt(view.ctx, item.id);
  const lines = (entry?.reasons || []).map((r) => r.kind === "changed"
    ? h("li", { "data-reason": "changed", text: `At your last review: ${plainWords(r.summary)}` })
    : h("li", { "data-reason": "old_answer", text: `You answered this on ${fmtDate(r.answered_at)}, ${r.days} days ago; reviews come every ${walk.interval_days} days. Is it still true? Answer again to confirm it.` }));
  return h("section", { class: "item-section walk-why", id: "walk-why", "aria-label": "Why it is in this review" },
    h("h2", { text: "Why it is in this review" }),
    looked ? h("p", { class: "answer-line", id: "walk-looked", text: "Looked at again in this review ✓" }) : null,
    lines.length ? h("ul", {}, lines) : null);
}

function sideIcon(state, answer) {
  if (answer?.status === "later" && state === "not_started") return "↷";
  return ITEM_STATES[state].icon;
}

function sideWord(state, answer) {
  if (answer?.status === "later" && state === "not_started") return "Later";
  return ITEM_STATES[state].word;
}

function itemPane(view, journey, items, index) {
  const { ctx } = view;
  const item = items[index];
  const answer = ctx.snapshot.state.answers?.[item.id];
  const results = resultsById(ctx.snapshot.latest_results);
  const walk = reviewWalk(ctx);
  const allAnswered = walk ? items.every((i) => lookedAt(ctx, i.id))
    : items.every((i) => { const st = standing(ctx.snapshot, i.id); return st.answered || st.state === "verified"; });
  const topicTitle = (ctx.snapshot.catalogue.topics || []).find((t) => t.id === item.topic)?.title || item.topic;
  return h("section", { class: "journey-main", id: "journey-item", "data-item-id": item.id, "aria-labelledby": "screen-title" },
    allAnswered && walk ? infoBanner("You have looked at every item of this review",
      "Everything else stays as you answered it. The Overview shows what still needs attention.", [], { kind: "done", id: "walk-done" }) : null,
    allAnswered && !walk ? infoBanner("You have answered every item in this journey",
      "Items marked Later stay in the list so you can come back to them. The Overview shows what still needs attention.", [], { kind: "done" }) : null,
    h("p", { class: "eyebrow" },
      h("span", { id: "position", "data-index": index + 1, text: `Item ${index + 1} of ${items.length}` }),
      h("span", { "aria-hidden": "true", text: " · " }),
      h("span", { text: topicTitle })),
    h("h1", { id: "screen-title", class: "item-title", tabindex: "-1", text: item.title }),
    answer ? answerLine(answer) : null,
    walkReasons(view, item),
    h("section", { class: "item-section", "aria-label": "Why it matters" },
      h("h2", { text: "Why it matters" }),
      h("p", { class: "why", text: item.why })),
    stepsSection(item),
    (item.links || []).length ? h("section", { class: "item-section" },
      h("h2", { text: "Read more" }),
      h("ul", { class: "link-list" }, item.links.map((l) => h("li", {}, extLink(l.url, l.label))))) : null,
    item.checked ? h("p", { class: "key-hint", id: "facts-checked", text: `Platform facts last checked: ${item.checked}.` }) : null,
    verifySection(view, item, answer, results),
    h("div", { class: "answer-bar", role: "group", "aria-label": "Your answer and moving on" },
      actions(view, journey, items, index, item, answer),
      h("div", { class: "item-nav" },
        h("button", { type: "button", class: "btn btn-quiet", id: "prev", disabled: index === 0, text: "← Previous", onclick: () => goTo(view, index - 1, true) }),
        h("p", { class: "key-hint" },
          h("span", { text: singleKeysOn() ? "Keys: j or → next, k or ← previous. " : "Keys: → next, ← previous. " }),
          singleKeysToggle(() => draw(view, { focusTitle: false }))),
        h("button", { type: "button", class: "btn btn-quiet", id: "next", disabled: index === items.length - 1, text: "Next →", onclick: () => goTo(view, index + 1, true) }))));
}

function answerLine(answer) {
  const word = ANSWER_WORDS[answer.status] || answer.status;
  const when = answer.updated_at ? ` on ${fmtDate(answer.updated_at)}` : "";
  return h("p", { class: `answer-line answer-${answer.status}`, id: "answer-line" },
    h("span", { class: "answer-word", text: `You marked this ${word.toLowerCase()}${when}.` }),
    answer.reason ? h("span", { class: "answer-reason", text: ` Reason: ${answer.reason}` }) : null);
}

function stepsSection(item) {
  const general = item.steps.filter((s) => !s.platform);
  const platforms = [...new Set(item.steps.filter((s) => s.platform).map((s) => s.platform))];
  const section = h("section", { class: "item-section" }, h("h2", { text: "Steps" }));
  if (general.length) section.append(stepList(general));
  if (platforms.length === 1) {
    section.append(h("h3", { class: "platform-heading", text: platforms[0] }),
      stepList(item.steps.filter((s) => s.platform === platforms[0])));
  } else if (platforms.length > 1) {
    section.append(platformTabs(item, platforms));
  }
  return section;
}

function stepList(steps) {
  return h("ol", { class: "steps" }, steps.map((s) =>
    h("li", {}, h("span", { text: plainWords(s.text) }), s.link ? [" ", extLink(s.link, "Open the page")] : null)));
}

function platformTabs(item, platforms) {
  const chosen = platforms.includes(selectedTab.get(item.id)) ? selectedTab.get(item.id) : platforms[0];
  const base = newId("tab");
  const tabs = platforms.map((p, i) => h("button", {
    type: "button", role: "tab", class: "tab", id: `${base}-t${i}`,
    "aria-selected": p === chosen ? "true" : "false", "aria-controls": `${base}-p${i}`,
    tabindex: p === chosen ? "0" : "-1", "data-platform": p, text: p,
  }));
  const panels = platforms.map((p, i) => h("div", {
    role: "tabpanel", class: "tabpanel", id: `${base}-p${i}`, "aria-labelledby": `${base}-t${i}`,
    hidden: p !== chosen, tabindex: "0",
  }, stepList(item.steps.filter((s) => s.platform === p))));
  const select = (i, focus) => {
    selectedTab.set(item.id, platforms[i]);
    tabs.forEach((t, j) => {
      t.setAttribute("aria-selected", String(i === j));
      t.tabIndex = i === j ? 0 : -1;
      panels[j].hidden = i !== j;
    });
    if (focus) tabs[i].focus();
  };
  tabs.forEach((t, i) => {
    t.addEventListener("click", () => select(i, false));
    t.addEventListener("keydown", (e) => {
      const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -i, End: platforms.length - 1 - i };
      if (!(e.key in moves)) return;
      e.preventDefault();
      select((i + moves[e.key] + platforms.length) % platforms.length, true);
    });
  });
  return h("div", { class: "tabs" },
    h("div", { role: "tablist", class: "tablist", "aria-label": "Steps by platform" }, tabs), panels);
}

function verifySection(view, item, answer, results) {
  const { ctx } = view;
  const checks = item.verified_by?.checks || [];
  const question = item.verified_by?.question;
  const specs = specsById(ctx.snapshot);
  const section = h("section", { class: "item-section verify" }, h("h2", { text: "How this is verified" }));
  if (checks.length) {
    section.append(h("p", { text: checks.length === 1
      ? "Lockstep checks this for you. The latest result:"
      : "Lockstep checks this for you. The latest results:" }));
    const list = h("div", { class: "result-list", "aria-live": "polite" },
      checks.map((id) => withFindings(resultRow(specs.get(id) || { id, title: id }, results.get(id), { status: view.runStatus.get(id) }), results.get(id))));
    const groups = [...new Set(checks.map((id) => specs.get(id)?.group || id.split(".")[0]))];
    section.append(list, h("p", {},
      // aria-disabled, not disabled: a disabled button drops the keyboard focus to the page.
      h("button", {
        type: "button", class: "btn", id: "run-item-checks", "aria-disabled": view.running ? "true" : null,
        text: view.running ? "Checking…" : "Run this check now",
        onclick: () => { if (!view.running) runItemChecks(view, groups, checks); },
      })));
    section.append(confirmBlock(view, item, answer, results));
  }
  if (question) {
    const chosen = view.pendingChoice !== undefined ? view.pendingChoice : answer?.choice ?? null;
    const name = newId("q");
    const note = h("div", { class: "choice-note", id: "choice-note", "aria-live": "polite" });
    const showNote = (value) => {
      const c = question.choices.find((x) => x.value === value);
      note.className = `choice-note${c?.flagged ? " flagged" : ""}`;
      mount(note, c?.note ? [c.flagged ? h("strong", { text: "Worth changing: " }) : null, c.note] : null);
    };
    const fieldset = h("fieldset", { class: "question" },
      h("legend", { text: question.prompt }),
      question.choices.map((c) => h("label", { class: "choice" },
        h("input", {
          type: "radio", name, value: c.value, checked: c.value === chosen,
          onchange: () => { view.pendingChoice = c.value; showNote(c.value); hideHint(view); labelDone(view, item); },
        }),
        h("span", { text: c.label }))),
      note,
      h("p", { class: "field-hint invalid", id: "question-hint", hidden: true, text: "Pick the answer that fits first, so Lockstep can tell whether this needs attention." }));
    showNote(chosen);
    section.append(checks.length ? h("p", { text: "And in your own words:" }) : h("p", { text: "You confirm this yourself." }), fieldset);
  } else if (!checks.length) {
    section.append(h("p", { text: "You confirm this yourself by marking it done." }));
  }
  return section;
}

/**
 * A device check may not see what the user has (a browser's password manager, a key in a
 * drawer). The user can confirm it; it then reads "Confirmed by you", never "Verified".
 */
function confirmBlock(view, item, answer, results) {
  const st = standing(view.ctx.snapshot, item.id);
  if (!st.confirmable) return null;
  const warned = (item.verified_by?.checks || []).find((id) => results.get(id)?.status === "warn");
  const label = CONFIRM_LABELS[warned] || "I have this; Lockstep can't detect it";
  if (st.state === "confirmed") {
    return h("div", { class: "confirm-block confirmed", id: "confirm-block" },
      h("p", { id: "confirm-note" },
        h("strong", { text: "Confirmed by you" }),
        ` on ${fmtDate(answer?.updated_at)}. Lockstep still cannot see it on this device, so it is not shown as verified.`),
      h("button", { type: "button", class: "btn btn-quiet", id: "act-unconfirm", text: "Take back my confirmation", onclick: () => confirmItem(view, item, null) }));
  }
  return h("div", { class: "confirm-block", id: "confirm-block" },
    h("p", { text: "Lockstep looks only in the usual places. If you have this but it could not see it, say so:" }),
    h("button", { type: "button", class: "btn", id: "act-confirm", text: label, onclick: () => confirmItem(view, item, "done") }));
}

async function confirmItem(view, item, status) {
  const { ctx } = view;
  try {
    await ctx.answer(item.id, status, status ? "Confirmed: Lockstep could not detect it on this device." : null, null);
  } catch (err) {
    ctx.showError(err);
    return;
  }
  ctx.toast(status ? `Confirmed by you: “${item.title}”.` : `Your confirmation of “${item.title}” is taken back.`);
  draw(view, { focusTitle: false });
  // The button pressed is gone; its counterpart takes the focus.
  view.root.querySelector(status ? "#act-unconfirm" : "#act-confirm")?.focus();
}

function hideHint(view) {
  const hint = view.root.querySelector("#question-hint");
  if (hint) hint.hidden = true;
  hint?.closest("fieldset")?.removeAttribute("aria-describedby");
}

/** An answer that records a problem is saved with a button that says so, not "Done". */
function doneLabel(view, item) {
  return chosenChoice(item, { choice: choiceFor(view, item) })?.flagged ? "Save answer (still to fix)" : "Done";
}

function labelDone(view, item) {
  const done = view.root.querySelector("#act-done");
  if (done) done.textContent = doneLabel(view, item);
}

function actions(view, journey, items, index, item, answer) {
  const reasonId = newId("reason");
  const naForm = h("div", { class: "na-form", id: "na-form", hidden: !view.naOpen },
    h("label", { for: "na-reason", text: "Why does this not apply to you? (needed, so a later review can tell)" }),
    h("textarea", { id: "na-reason", rows: "2", "aria-describedby": reasonId, value: answer?.status === "not_applicable" ? answer.reason || "" : "" }),
    h("p", { class: "field-hint", id: reasonId, text: "For example: “I publish only to crates.io, which has no organization roles.”" }),
    h("div", { class: "button-row" },
      h("button", { type: "button", class: "btn btn-primary", id: "act-na-save", text: "Save as not applicable", onclick: () => saveNotApplicable(view, items, index, item) }),
      h("button", { type: "button", class: "btn btn-quiet", text: "Cancel", onclick: () => { view.naOpen = false; naForm.hidden = true; } })));
  return h("section", { class: "item-actions", "aria-label": "Your answer" },
    h("div", { class: "button-row" },
      h("button", { type: "button", class: "btn btn-primary", id: "act-done", text: doneLabel(view, item), "aria-pressed": String(answer?.status === "done"), onclick: () => act(view, items, index, item, "done") }),
      h("button", {
        type: "button", class: "btn", id: "act-na", text: "Not applicable", "aria-expanded": String(view.naOpen), "aria-controls": "na-form",
        "aria-pressed": String(answer?.status === "not_applicable"),
        onclick: (e) => {
          view.naOpen = true;
          naForm.hidden = false;
          e.target.setAttribute("aria-expanded", "true");
          naForm.querySelector("textarea").focus();
        },
      }),
      h("button", { type: "button", class: "btn", id: "act-later", text: "Later", "aria-pressed": String(answer?.status === "later"), onclick: () => act(view, items, index, item, "later") }),
      answer ? h("button", { type: "button", class: "btn btn-link", id: "act-clear", text: "Clear my answer", onclick: () => act(view, items, index, item, null) }) : null),
    naForm);
}

function choiceFor(view, item) {
  if (view.pendingChoice !== undefined) return view.pendingChoice;
  return view.ctx.snapshot.state.answers?.[item.id]?.choice ?? null;
}

async function act(view, items, index, item, status) {
  const { ctx } = view;
  const choice = choiceFor(view, item);
  if (status === "done" && item.verified_by?.question && !choice) {
    const hint = view.root.querySelector("#question-hint");
    hint.hidden = false;
    hint.closest("fieldset")?.setAttribute("aria-describedby", "question-hint");
    view.root.querySelector(".question input")?.focus();
    return;
  }
  try {
    await ctx.answer(item.id, status, null, status ? choice : null);
  } catch (err) {
    ctx.showError(err);
    return;
  }
  if (status === null) {
    ctx.toast(`Cleared your answer for “${item.title}”.`);
    view.pendingChoice = undefined;
    draw(view, { focusTitle: true });
    return;
  }
  const flagged = chosenChoice(item, { choice })?.flagged;
  ctx.toast(`${ANSWER_WORDS[status]}: “${item.title}”.${flagged ? " Your answer is marked as needing attention." : ""}`);
  await advance(view, items, index);
}

async function saveNotApplicable(view, items, index, item) {
  const field = view.root.querySelector("#na-reason");
  const reason = field.value.trim();
  if (!reason) {
    field.setAttribute("aria-invalid", "true");
    const hint = view.root.querySelector(`#${field.getAttribute("aria-describedby")}`);
    hint.textContent = "Please say briefly why this does not apply; the reason is kept with your answer.";
    hint.classList.add("invalid");
    field.focus();
    return;
  }
  try {
    await view.ctx.answer(item.id, "not_applicable", reason, choiceFor(view, item));
  } catch (err) {
    view.ctx.showError(err);
    return;
  }
  view.ctx.toast(`Not applicable: “${item.title}”.`);
  await advance(view, items, index);
}

async function advance(view, items, index) {
  if (index < items.length - 1) await goTo(view, index + 1, true);
  else draw(view, { focusTitle: true });
}

async function goTo(view, index, focusTitle) {
  const { ctx } = view;
  const journey = journeyOf(ctx);
  const items = itemsOf(ctx);
  if (index < 0 || index >= items.length) return;
  const id = items[index].id;
  ctx.snapshot.state.positions = { ...(ctx.snapshot.state.positions || {}), [journey]: id };
  view.pendingChoice = undefined;
  view.naOpen = false;
  view.runStatus = new Map();
  draw(view, { focusTitle });
  try {
    const state = await ipc.setPosition(journey, id);
    // Only take the returned state if the user has not moved on meanwhile.
    if (state?.positions?.[journey] === ctx.snapshot.state.positions[journey]) ctx.setState(state);
  } catch (err) {
    ctx.showError(err);
  }
}

function handleKey(view, event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  const t = event.target;
  if (t.closest?.("input, textarea, select, [contenteditable], [role=tab], summary")) return;
  const items = itemsOf(view.ctx);
  const index = currentIndex(view.ctx, items);
  const inSidebar = Boolean(t.closest?.(".journey-sidebar"));
  let delta = 0;
  const single = singleKeysOn();
  if ((single && event.key === "j") || event.key === "ArrowRight" || (inSidebar && event.key === "ArrowDown")) delta = 1;
  if ((single && event.key === "k") || event.key === "ArrowLeft" || (inSidebar && event.key === "ArrowUp")) delta = -1;
  if (!delta) return;
  event.preventDefault();
  goTo(view, index + delta, !inSidebar).then(() => {
    if (inSidebar) view.root.querySelector(".side-item[aria-current]")?.focus();
  });
}

async function runItemChecks(view, groups, checkIds) {
  const { ctx } = view;
  view.running = true;
  for (const id of checkIds) view.runStatus.set(id, "running");
  draw(view, { focusTitle: false });
  try {
    const outcome = await ipc.runChecks({ groups, journey: journeyOf(ctx) }, (msg) => {
      if (msg?.event === "result" && msg.result) {
        ctx.setResults([{ ...msg.result, checked_at: new Date().toISOString() }]);
        view.runStatus.delete(msg.result.id);
        if (checkIds.includes(msg.result.id)) {
          const title = specsById(ctx.snapshot).get(msg.result.id)?.title || msg.result.id;
          announce(`${title}: ${CHECK_STATES[msg.result.status]?.word || msg.result.status}. ${msg.result.summary || ""}`);
        }
      }
    });
    ctx.setResults(outcome?.results);
    ctx.setAssessment(outcome?.assessment);
  } catch (err) {
    ctx.showError(err);
  } finally {
    view.running = false;
    view.runStatus = new Map();
    if (ctx.route === "journey") draw(view, { focusTitle: false });
  }
}
