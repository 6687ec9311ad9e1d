// Travel: the evening before a trip and the day after return, with device checks inline.

import { h, mount, fmtDate, keepFocus } from "./dom.js";
import * as ipc from "./ipc.js";
import { journeyItems, itemState, standing, resultsById, ANSWER_WORDS, CHECK_STATES } from "./model.js";
import { screenHeader, stateBadge, extLink, announce } from "./widgets.js";
import { resultRow, specsById } from "./results.js";

const TRIP_CHECKS = ["device.disk_encryption", "device.publish_credentials"];

export function render(root, ctx) {
  const view = { root, ctx, running: false, pending: new Set(), alive: true };
  draw(view);
  return () => { view.alive = false; };
}

function draw(view) {
  if (!view.alive) return; // the user has moved to another screen since
  // The button the user pressed (Mark done, Check this device) keeps the focus.
  keepFocus(view.root, () => drawScreen(view));
}

function drawScreen(view) {
  const { ctx } = view;
  const items = journeyItems(ctx.snapshot, "travel");
  const before = items.filter((i) => i.travel_phase !== "after");
  const after = items.filter((i) => i.travel_phase === "after");
  const specs = specsById(ctx.snapshot);
  const results = resultsById(ctx.snapshot.latest_results);
  mount(view.root, h("section", { class: "screen", id: "travel" },
    screenHeader("Travel", "Border checkpoints and lost bags happen. The evening before you leave, and again when you are back, go through these.",
      h("button", { type: "button", class: "btn", text: "Walk it step by step", onclick: () => walk(view) })),
    h("section", { class: "card", "aria-labelledby": "device-h" },
      h("div", { class: "group-head" },
        h("h2", { id: "device-h", text: "This device, right now" }),
        h("button", {
          type: "button", class: "btn btn-primary", id: "run-device-checks", "aria-disabled": view.running ? "true" : null,
          text: view.running ? "Checking…" : "Check this device", onclick: () => { if (!view.running) runDevice(view); },
        })),
      h("div", { class: "result-list", "aria-live": "polite" }, TRIP_CHECKS.map((id) =>
        resultRow(specs.get(id) || { id, title: id }, results.get(id), { status: view.pending.has(id) ? "running" : undefined })))),
    phase(view, "before-h", "Before the trip", before, results),
    phase(view, "after-h", "After you return", after, results)));
}

function phase(view, id, title, items, results) {
  const answers = view.ctx.snapshot.state.answers || {};
  return h("section", { class: "card", "aria-labelledby": id },
    h("h2", { id, text: title }),
    items.length === 0 ? h("p", { class: "muted", text: "Nothing listed here yet." }) :
      h("ol", { class: "travel-list" }, items.map((item) => {
        const answer = answers[item.id];
        const state = itemState(view.ctx.snapshot, item.id);
        const confirmable = standing(view.ctx.snapshot, item.id).confirmable;
        const done = answer?.status === "done";
        const titleId = `travel-${item.id}`;
        return h("li", { class: "travel-item", "data-item-id": item.id },
          h("div", { class: "travel-head" },
            stateBadge(state),
            h("span", { class: "travel-title", id: titleId, text: item.title }),
            h("button", {
              type: "button", class: done ? "btn btn-quiet" : "btn", "aria-pressed": String(done), "aria-describedby": titleId,
              "data-mark-done": item.id,
              text: done ? "Done ✓ (undo)" : confirmable ? "Mark done (Lockstep can't see it)" : "Mark done",
              onclick: () => toggle(view, item, done),
            })),
          answer && !done ? h("p", { class: "muted", text: `Marked ${ANSWER_WORDS[answer.status].toLowerCase()} on ${fmtDate(answer.updated_at)}.` }) : null,
          h("details", {},
            h("summary", { text: "Why and how" }),
            h("p", { text: item.why }),
            h("ol", { class: "steps" }, item.steps.map((s) => h("li", {},
              s.platform ? h("strong", { text: `${s.platform}: ` }) : null, s.text,
              s.link ? [" ", extLink(s.link, "Open the page")] : null)))));
      })));
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
  } catch (err) {
    ctx.showError(err);
  } finally {
    view.running = false;
    view.pending = new Set();
    if (ctx.route === "travel") draw(view);
  }
}
