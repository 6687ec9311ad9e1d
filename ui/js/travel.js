// Travel is a trip: start it the evening before you leave, do the before steps, say you are
// back, do the after steps, finish it. Each trip starts clean; finished ones stay in History.
// The core keeps the trip (state.trip, state.past_trips); this screen renders it.

import { h, mount, fmtDate, keepFocus, plural } from "./dom.js";
import * as ipc from "./ipc.js";
import { journeyItems, itemState, standing, resultsById, ANSWER_WORDS, CHECK_STATES } from "./model.js";
import { screenHeader, stateBadge, extLink, announce } from "./widgets.js";
import { resultRow, specsById } from "./results.js";

const TRIP_CHECKS = ["device.disk_encryption", "device.publish_credentials"];

/** The words of each phase, in the order a trip goes through them. */
const PHASES = {
  before: { title: "Before you leave", short: "before" },
  after: { title: "After you return", short: "after" },
};

export function render(root, ctx) {
  const view = { root, ctx, running: false, busy: false, pending: new Set(), alive: true };
  draw(view);
  return () => { view.alive = false; };
}

function draw(view) {
  if (!view.alive) return; // the user has moved to another screen since
  // The control the user pressed (the trip button, Mark done, Check this device) keeps the focus.
  keepFocus(view.root, () => drawScreen(view));
}

/** The phase of the trip under way ("before" until the user says they are back), or null. */
function tripPhase(trip) {
  if (!trip) return null;
  return trip.back_at ? "after" : "before";
}

function drawScreen(view) {
  const { ctx } = view;
  const trip = ctx.snapshot.state.trip || null;
  const phase = tripPhase(trip);
  const items = journeyItems(ctx.snapshot, "travel");
  const steps = {
    before: items.filter((i) => i.travel_phase !== "after"),
    after: items.filter((i) => i.travel_phase === "after"),
  };
  const results = resultsById(ctx.snapshot.latest_results);
  mount(view.root, h("section", { class: "screen", id: "travel", "data-trip-phase": phase || "none" },
    screenHeader("Travel", "Border checkpoints and lost bags happen. Start a trip the evening before you leave; Lockstep walks you through the steps before, then the steps once you are back, and keeps each trip in History.",
      h("button", { type: "button", class: "btn", text: "Walk it step by step", onclick: () => walk(view) })),
    tripCard(view, trip, phase, steps),
    deviceCard(view, results),
    // Without a trip the steps before leaving are still there: doing one starts a trip.
    phaseCard(view, phase || "before", steps[phase || "before"], true),
    otherPhase(view, phase || "before", steps)));
}

/** Where the trip stands, with the one button that moves it on. */
function tripCard(view, trip, phase, steps) {
  const answers = view.ctx.snapshot.state.answers || {};
  const past = view.ctx.snapshot.state.past_trips || [];
  const doneIn = (list) => list.filter((i) => answers[i.id]?.status === "done").length;
  let title; let text; let label; let action;
  if (!trip) {
    title = "No trip under way";
    text = past.length
      ? `Your last trip (${tripDates(past[past.length - 1])}) is kept in History. A new trip starts with every step to do again.`
      : "When you are about to travel, start a trip (doing a step below starts one too). Each trip starts fresh.";
    label = past.length ? "Start a new trip" : "Start a trip";
    action = "start";
  } else if (phase === "before") {
    title = `Trip started ${fmtDate(trip.started_at)}: before you leave`;
    text = `${doneIn(steps.before)} of ${plural(steps.before.length, "step")} before you leave done. When you are back, show the steps for after your return.`;
    label = "I'm back: show the after steps";
    action = "back";
  } else {
    title = `Back since ${fmtDate(trip.back_at)}: after you return`;
    text = `${doneIn(steps.after)} of ${plural(steps.after.length, "step")} after your return done. Finish the trip when you are through; it stays in History.`;
    label = "Finish this trip";
    action = "finish";
  }
  return h("section", { class: "card trip-card", "aria-labelledby": "trip-h" },
    trip ? stepper(phase) : null,
    h("h2", { id: "trip-h", text: title }),
    h("p", { id: "trip-status", text }),
    h("div", { class: "button-row" },
      h("button", {
        type: "button", class: "btn btn-primary", id: "trip-next", "data-action": action,
        "aria-disabled": view.busy ? "true" : null, text: label,
        onclick: () => { if (!view.busy) tripAction(view, action); },
      }),
      !trip && past.length ? h("button", { type: "button", class: "btn btn-quiet", text: "See past trips in History", onclick: () => view.ctx.navigate("history") }) : null));
}

/** "1 Before you leave → 2 After you return", the current one marked. */
function stepper(phase) {
  return h("ol", { class: "trip-stepper", "aria-label": "Trip steps" },
    Object.entries(PHASES).map(([key, p], i) => h("li", {
      class: key === phase ? "current" : (phase === "after" && key === "before" ? "past" : ""),
      "aria-current": key === phase ? "step" : null,
    }, h("span", { class: "trip-step-number", "aria-hidden": "true", text: String(i + 1) }), ` ${p.title}`)));
}

function deviceCard(view, results) {
  const specs = specsById(view.ctx.snapshot);
  return h("section", { class: "card", "aria-labelledby": "device-h" },
    h("div", { class: "group-head" },
      h("h2", { id: "device-h", text: "This device, right now" }),
      h("button", {
        type: "button", class: "btn", id: "run-device-checks", "aria-disabled": view.running ? "true" : null,
        text: view.running ? "Checking…" : "Check this device", onclick: () => { if (!view.running) runDevice(view); },
      })),
    h("div", { class: "result-list", "aria-live": "polite" }, TRIP_CHECKS.map((id) =>
      resultRow(specs.get(id) || { id, title: id }, results.get(id), { status: view.pending.has(id) ? "running" : undefined }))));
}

/** The steps of one phase, with their Mark done buttons (`current`) or read-only. */
function phaseCard(view, phase, items, current) {
  const id = `${phase}-h`;
  return h("section", { class: "card", "aria-labelledby": id, "data-phase": phase },
    h("h2", { id, tabindex: "-1", text: PHASES[phase].title }),
    stepList(view, items, current));
}

/** The phase that is not current: what you did before leaving, or what comes after. */
function otherPhase(view, phase, steps) {
  const other = phase === "before" ? "after" : "before";
  const answers = view.ctx.snapshot.state.answers || {};
  const done = steps[other].filter((i) => answers[i.id]?.status === "done").length;
  const summary = other === "after"
    ? `For when you are back: ${plural(steps[other].length, "step")}`
    : `Before you left: ${done} of ${plural(steps[other].length, "step")} done`;
  return h("section", { class: "card", "data-phase": other },
    h("details", { id: `${other}-steps` },
      h("summary", { text: summary }),
      stepList(view, steps[other], other === "before")));
}

function stepList(view, items, actionable) {
  const answers = view.ctx.snapshot.state.answers || {};
  if (items.length === 0) return h("p", { class: "muted", text: "Nothing listed here yet." });
  return h("ol", { class: "travel-list" }, items.map((item) => {
    const answer = answers[item.id];
    const state = itemState(view.ctx.snapshot, item.id);
    const confirmable = standing(view.ctx.snapshot, item.id).confirmable;
    const done = answer?.status === "done";
    const titleId = `travel-${item.id}`;
    return h("li", { class: "travel-item", "data-item-id": item.id },
      h("div", { class: "travel-head" },
        stateBadge(state),
        h("span", { class: "travel-title", id: titleId, text: item.title }),
        actionable ? h("button", {
          type: "button", class: done ? "btn btn-quiet" : "btn", "aria-pressed": String(done), "aria-describedby": titleId,
          "data-mark-done": item.id,
          text: done ? "Done ✓ (undo)" : confirmable ? "Mark done (Lockstep can't see it)" : "Mark done",
          onclick: () => toggle(view, item, done),
        }) : null),
      answer && !done ? h("p", { class: "muted", text: `Marked ${ANSWER_WORDS[answer.status].toLowerCase()} on ${fmtDate(answer.updated_at)}.` }) : null,
      h("details", {},
        h("summary", { text: "Why and how" }),
        h("p", { text: item.why }),
        h("ol", { class: "steps" }, item.steps.map((s) => h("li", {},
          s.platform ? h("strong", { text: `${s.platform}: ` }) : null, s.text,
          s.link ? [" ", extLink(s.link, "Open the page")] : null)))));
  }));
}

/** "12 Nov 2026 – 19 Nov 2026" for a past trip. */
export function tripDates(trip) {
  const from = fmtDate(trip.started_at);
  const to = fmtDate(trip.ended_at || trip.back_at);
  return to && to !== from ? `${from} – ${to}` : from;
}

const ACTION_WORDS = {
  start: "Trip started. The steps before you leave are below, all still to do.",
  back: "Welcome back. The steps after your return are below.",
  finish: "Trip finished and kept in History.",
};

async function tripAction(view, action) {
  view.busy = true;
  draw(view);
  try {
    view.ctx.setState(await ipc.tripAction(action));
    await view.ctx.refreshStanding();
    announce(ACTION_WORDS[action]);
  } catch (err) {
    view.ctx.showError(err);
  } finally {
    view.busy = false;
    draw(view);
  }
}

async function toggle(view, item, done) {
  try {
    await view.ctx.answer(item.id, done ? null : "done", null, null);
  } catch (err) {
    view.ctx.showError(err);
  }
  draw(view);
}

async function walk(view) {
  try {
    if (view.ctx.snapshot.state.journey !== "travel") view.ctx.setState(await ipc.chooseJourney("travel"));
    view.ctx.navigate("journey");
  } catch (err) {
    view.ctx.showError(err);
  }
}

async function runDevice(view) {
  const { ctx } = view;
  view.running = true;
  view.pending = new Set(TRIP_CHECKS);
  draw(view);
  try {
    const outcome = await ipc.runChecks({ groups: ["device"], journey: "travel" }, (msg) => {
      if (msg?.event === "result" && msg.result) {
        ctx.setResults([{ ...msg.result, checked_at: new Date().toISOString() }]);
        view.pending.delete(msg.result.id);
        const title = specsById(ctx.snapshot).get(msg.result.id)?.title || msg.result.id;
        announce(`${title}: ${CHECK_STATES[msg.result.status]?.word || msg.result.status}. ${msg.result.summary || ""}`);
        if (ctx.route === "travel") draw(view);
      }
    });
    ctx.setResults(outcome?.results);
    ctx.setAssessment(outcome?.assessment);
    // The trip keeps this check (History shows it with the trip).
    ctx.setState(await ipc.currentState());
  } catch (err) {
    ctx.showError(err);
  } finally {
    view.running = false;
    view.pending = new Set();
    if (ctx.route === "travel") draw(view);
  }
}
