// Home: am I OK? Each topic's state, the one next action, review dates, the way into each journey.

import { h, fmtDate } from "./dom.js";
import * as ipc from "./ipc.js";
import { JOURNEYS, ITEM_STATES, SEVERITY_WORDS, topicSummaries, nextAction, journeyStanding, progressText, resultsById } from "./model.js";
import { stateBadge, screenHeader } from "./widgets.js";

export function render(root, ctx) {
  const snap = ctx.snapshot;
  const topics = topicSummaries(snap, null);
  root.append(h("section", { class: "screen", id: "overview" },
    screenHeader("Overview", headline(snap)),
    h("div", { class: "overview-grid" },
      nextCard(ctx),
      dueCard(snap),
      journeysCard(ctx)),
    h("section", { class: "card", "aria-labelledby": "topics-h" },
      h("h2", { id: "topics-h", text: "Topics" }),
      h("p", { class: "muted", text: "Verified means a Lockstep check confirmed it; done by you means you marked it yourself." }),
      h("ul", { class: "topic-grid" }, topics.map((t) => topicRow(ctx, t)))),
    h("p", { class: "local-note", text: "Everything here is worked out on this device. Lockstep sends nothing anywhere except the platform checks you run, straight to each platform." })));
}

/** "1 needs fixing, 2 worth a look. 12 of 40 done or verified." from the core's standings. */
function headline(snap) {
  const items = snap.assessment?.items || [];
  const count = (severity) => items.filter((i) => i.severity === severity).length;
  const parts = [];
  const fixing = count("needs_fixing");
  const look = count("worth_a_look");
  const flagged = count("flagged_answer");
  if (fixing) parts.push(`${fixing} ${fixing === 1 ? "item needs" : "items need"} fixing`);
  if (look) parts.push(`${look} worth a look`);
  if (flagged) parts.push(`${flagged} flagged by your answers`);
  const progress = progressText(journeyStanding(snap, null).progress);
  return parts.length ? `${parts.join(", ")}. ${progress}.` : `${progress}.`;
}

function topicRow(ctx, topic) {
  const item = ctx.snapshot.catalogue.items.find((i) => i.id === topic.openItem) || topic.entries[0]?.item;
  return h("li", { class: `topic-row state-${topic.state}`, "data-topic": topic.id },
    h("button", {
      type: "button", class: "topic-open",
      onclick: () => openItem(ctx, item),
      "aria-label": `${topic.title}: ${ITEM_STATES[topic.state].word}, ${topic.settled} of ${topic.total} done or verified. Open`,
    },
    h("span", { class: "topic-name", text: topic.title }),
    stateBadge(topic.state),
    h("span", { class: "topic-progress", text: `${topic.settled} of ${topic.total} done or verified` })));
}

function nextCard(ctx) {
  const next = nextAction(ctx.snapshot);
  const card = h("section", { class: "card card-next", "aria-labelledby": "next-h" }, h("h2", { id: "next-h", text: "Your next step" }));
  if (!next) {
    card.append(h("p", { text: "Everything in your current journey is answered. Run the checks from time to time, or start a periodic review when it is due." }),
      h("button", { type: "button", class: "btn btn-primary", text: "Run the checks", onclick: () => ctx.navigate("checks") }));
    return card;
  }
  const why = {
    attention: `${SEVERITY_WORDS[next.severity] || "Needs attention"}: `,
    open: "Next in your checklist: ",
    unknown: "Lockstep could not check this: ",
    later: "You put this off for later: ",
  }[next.kind] || "";
  const results = resultsById(ctx.snapshot.latest_results);
  const worst = (next.item.verified_by?.checks || []).map((id) => results.get(id))
    .filter((r) => r && (r.status === "fail" || r.status === "warn" || r.status === "unknown"))
    .sort((a, b) => ["fail", "warn", "unknown"].indexOf(a.status) - ["fail", "warn", "unknown"].indexOf(b.status))[0];
  const item = next.item;
  card.dataset.itemId = item.id;
  card.dataset.severity = next.severity || "";
  card.append(
    h("p", { class: "next-title", id: "next-title" }, h("span", { class: "muted", text: why }), h("strong", { text: item.title })),
    worst ? h("p", { text: worst.summary }) : h("p", { class: "muted", text: item.why }),
    h("button", { type: "button", class: "btn btn-primary", id: "next-action", text: "Open this item", onclick: () => openItem(ctx, item) }));
  return card;
}

function dueCard(snap) {
  const due = snap.due || {};
  const lines = {
    never: "No periodic review yet. Once onboarding is done, run the checks; Lockstep then reminds you when the next review is due.",
    not_due: `The next review is due on ${fmtDate(due.next_due_on)}.`,
    due_today: "Your periodic review is due today.",
    overdue: `Your periodic review was due on ${fmtDate(due.next_due_on)}.`,
  };
  return h("section", { class: "card", "aria-labelledby": "due-h" },
    h("h2", { id: "due-h", text: "Reviews" }),
    due.last_review_at ? h("p", { text: `Last review: ${fmtDate(due.last_review_at)}.` }) : null,
    h("p", { id: "due-line", text: lines[due.status] || "Lockstep could not work out when the next review is due." }),
    due.reason && due.status !== "never" ? h("p", { class: "muted", text: due.reason }) : null,
    h("p", { class: "muted", text: `Reviews repeat every ${snap.state.settings?.review_interval_days ?? 90} days (change it under Accounts & tokens).` }));
}

function journeysCard(ctx) {
  const current = ctx.snapshot.state.journey;
  return h("section", { class: "card", "aria-labelledby": "journeys-h" },
    h("h2", { id: "journeys-h", text: "Journeys" }),
    h("ul", { class: "journey-links" }, Object.entries(JOURNEYS).map(([id, j]) => {
      const progress = journeyStanding(ctx.snapshot, id).progress;
      return h("li", {},
        h("button", {
          type: "button", class: "btn btn-link journey-link", "data-journey": id,
          "aria-current": id === current ? "true" : null,
          onclick: () => startJourney(ctx, id),
        }, `${j.title}${id === current ? " (current)" : ""}`),
        h("span", { class: "muted", text: progressText(progress) }));
    })));
}

async function startJourney(ctx, journey) {
  try {
    if (ctx.snapshot.state.journey !== journey) ctx.setState(await ipc.chooseJourney(journey));
    ctx.navigate("journey");
  } catch (err) {
    ctx.showError(err);
  }
}

/** Opens an item in the current journey if it is part of it, else in the first journey that has it. */
async function openItem(ctx, item) {
  const current = ctx.snapshot.state.journey;
  const journey = current && item.journeys.includes(current) ? current : item.journeys[0];
  try {
    if (journey !== current) ctx.setState(await ipc.chooseJourney(journey));
    ctx.setState(await ipc.setPosition(journey, item.id));
    ctx.navigate("journey");
  } catch (err) {
    ctx.showError(err);
  }
}
