// Which journey? Asked on the first run, and reachable from the Overview.

import { h } from "./dom.js";
import * as ipc from "./ipc.js";
import { JOURNEYS, journeyItems } from "./model.js";

export function render(root, ctx) {
  const first = !ctx.snapshot.state.journey;
  const cards = Object.entries(JOURNEYS).map(([id, j]) => {
    const count = journeyItems(ctx.snapshot, id).length;
    return h("li", {},
      h("button", {
        type: "button", class: "journey-card", "data-journey": id,
        onclick: () => pick(ctx, id),
      },
      h("span", { class: "journey-card-title", text: j.title }),
      h("span", { class: "journey-card-blurb", text: j.blurb }),
      h("span", { class: "journey-card-count", text: `${count} ${count === 1 ? "item" : "items"}` })));
  });
  root.append(h("section", { class: "screen narrow", id: "journey-choice", "aria-labelledby": "screen-title" },
    h("h1", { id: "screen-title", tabindex: "-1", text: first ? "Welcome to Lockstep" : "Choose a journey" }),
    h("p", { class: "lead", text: first
      ? "Lockstep walks you through locking down everything that can publish your packages. Everything it checks is worked out on this device. Where would you like to start?"
      : "You can switch at any time; your answers are kept for every journey." }),
    h("ul", { class: "journey-cards" }, cards)));
}

async function pick(ctx, journey) {
  try {
    ctx.setState(await ipc.chooseJourney(journey));
    ctx.navigate("journey");
  } catch (err) {
    ctx.showError(err);
  }
}
