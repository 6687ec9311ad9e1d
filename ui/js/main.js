// The shell: loads the snapshot, shows the one-time banners, routes between screens and
// sends https links to the system browser.

import * as ipc from "./ipc.js";
import { h, mount } from "./dom.js";
import { errorBanner, infoBanner, toast } from "./widgets.js";
import { fmtDate } from "./dom.js";
import * as overview from "./overview.js";
import * as journey from "./journey.js";
import * as checks from "./checks.js";
import * as accounts from "./accounts.js";
import * as history from "./history.js";
import * as travel from "./travel.js";
import * as choose from "./choose.js";

const SCREENS = { overview, journey, checks, accounts, history, travel, choose };
const NAV = [
  ["overview", "Overview"],
  ["journey", "Checklist"],
  ["checks", "Checks"],
  ["accounts", "Accounts & tokens"],
  ["history", "History"],
  ["travel", "Travel"],
];

const main = document.getElementById("main");
const banners = document.getElementById("banners");
let cleanup = null;

/** Shared by every screen. */
const ctx = {
  snapshot: null,
  route: null,
  /** Replace the state after a command returned a new one. */
  setState(state) {
    if (!state || typeof state !== "object") return;
    const journeyChanged = ctx.snapshot.state?.journey !== state.journey;
    ctx.snapshot.state = state;
    // The next step looks first in the current journey: ask the core again when it changes.
    if (journeyChanged) ctx.refreshStanding();
  },
  /** Replace the latest check results (after a run). */
  setResults(results) {
    const byId = new Map((ctx.snapshot.latest_results || []).map((r) => [r.id, r]));
    for (const r of results || []) byId.set(r.id, r);
    ctx.snapshot.latest_results = [...byId.values()];
  },
  /** Takes where every item stands, as the core worked it out. */
  setAssessment(assessment) {
    if (assessment && typeof assessment === "object") ctx.snapshot.assessment = assessment;
  },
  /**
   * Re-reads where every item stands (after an answer or an import). The window never works
   * it out itself; on failure it keeps what it had and says so.
   */
  async refreshStanding() {
    try {
      const fresh = await ipc.assessment();
      ctx.setAssessment(fresh?.assessment);
      if (fresh?.latest_results) ctx.snapshot.latest_results = fresh.latest_results;
    } catch (err) {
      ctx.showError(err);
    }
  },
  /** Records an answer (or clears it with `status` null) and refreshes where items stand. */
  async answer(itemId, status, reason = null, choice = null) {
    ctx.setState(await ipc.answerItem(itemId, status, reason, choice));
    await ctx.refreshStanding();
  },
  navigate(route, { focus = true } = {}) {
    show(route, focus);
  },
  /** Re-reads everything from the app (after an import, a review). */
  async reload() {
    ctx.snapshot = await ipc.appSnapshot();
  },
  /** Re-reads only when the next review is due (after a run saved a review). Never throws. */
  async refreshDue() {
    try {
      const fresh = await ipc.appSnapshot();
      if (fresh?.due) ctx.snapshot.due = fresh.due;
    } catch {
      // The Overview keeps the date it had; nothing else depends on it.
    }
  },
  showError(err, opts) {
    if (err?.kind === "not_saved_yet") ctx.setSaveProblem(err); // one such banner, kept while it lasts
    else banners.prepend(errorBanner(err, opts));
    banners.querySelector(".banner")?.focus?.();
  },
  clearErrors() {
    banners.querySelectorAll(".banner-error").forEach((b) => b.remove());
  },
  /**
   * A background save failed ({kind, message}) or, with null, a later one succeeded: shown
   * as it happens, kept across screens while it lasts, without taking the focus.
   */
  saveProblem: null,
  setSaveProblem(problem) {
    ctx.saveProblem = problem || null;
    banners.querySelectorAll('.banner-error[data-kind="not_saved_yet"]').forEach((b) => b.remove());
    if (ctx.saveProblem) banners.prepend(errorBanner(ctx.saveProblem, { onDismiss: () => { ctx.saveProblem = null; } }));
  },
  toast,
};

function renderNav() {
  const nav = document.getElementById("nav");
  mount(nav, h("ul", {}, NAV.map(([route, label]) =>
    h("li", {}, h("a", {
      href: `#${route}`, "data-route": route, class: "nav-link", text: label,
      onclick: (e) => { e.preventDefault(); show(route, true); },
    })))));
}

function markNav(route) {
  const active = route === "choose" ? "journey" : route;
  for (const link of document.querySelectorAll("#nav [data-route]")) {
    if (link.dataset.route === active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function show(route, focus) {
  if (!SCREENS[route]) route = "overview";
  if (route === "journey" && !ctx.snapshot.state.journey) route = "choose";
  cleanup?.();
  cleanup = null;
  ctx.route = route;
  ctx.clearErrors();
  if (ctx.saveProblem) ctx.setSaveProblem(ctx.saveProblem);
  markNav(route);
  main.dataset.screen = route;
  main.replaceChildren();
  main.scrollTop = 0; // each screen opens at its top, not where the last one was scrolled to
  try {
    cleanup = SCREENS[route].render(main, ctx) || null;
  } catch (err) {
    console.error(err);
    ctx.showError({ kind: "error", message: `This screen could not be drawn: ${err.message || err}` });
  }
  if (focus) document.getElementById("screen-title")?.focus({ preventScroll: true });
}

function startupBanners(snapshot) {
  if (snapshot.notice) {
    banners.append(infoBanner("Your earlier progress was set aside", snapshot.notice,
      [{ label: "Understood", action: "dismiss-notice", onClick: (e) => e.target.closest(".banner").remove() }], { kind: "notice", id: "notice" }));
  }
  const due = snapshot.due || {};
  if (due.status === "due_today" || due.status === "overdue") {
    const when = due.status === "overdue" ? `It was due on ${fmtDate(due.next_due_on)}.` : "It is due today.";
    const last = due.last_review_at ? ` Your last review was on ${fmtDate(due.last_review_at)}.` : "";
    const reason = due.reason ? ` ${due.reason}` : "";
    banners.append(infoBanner("Time for your periodic review", `${when}${last}${reason}`, [
      { label: "Start the review", primary: true, action: "start-review", onClick: startReview },
      { label: "Not now", action: "dismiss-due", onClick: (e) => e.target.closest(".banner").remove() },
    ], { kind: "due", id: "due" }));
  }
}

/** The periodic review is a review: it runs every check and opens on what changed. */
async function startReview(event) {
  try {
    ctx.setState(await ipc.chooseJourney("review"));
    event.target.closest(".banner")?.remove();
    checks.requestReview();
    show("checks", true);
  } catch (err) {
    ctx.showError(err);
  }
}

/** Every https link opens in the system browser; nothing navigates the app window away. */
function interceptLinks() {
  document.addEventListener("click", async (event) => {
    const link = event.target.closest?.("a[href]");
    if (!link) return;
    const href = link.getAttribute("href");
    if (href.startsWith("#")) return;
    event.preventDefault();
    if (!href.startsWith("https://")) return;
    try {
      await ipc.openUrl(href);
    } catch (err) {
      ctx.showError({ kind: "no_browser", message: "Lockstep could not open your browser." },
        { next: "Copy the link and open it in your browser yourself.", copy: href });
    }
  });
}

/** Unexpected script errors and blocked content show as a calm banner, never silently. */
function reportUnexpected() {
  const show = (message) => ctx.showError({ kind: "internal", message }, { next: "Your answers are saved as you go; switching screens or restarting Lockstep usually clears this." });
  window.addEventListener("error", (e) => show(`Something on this screen went wrong (${e.message}).`));
  window.addEventListener("unhandledrejection", (e) => show(`Something on this screen went wrong (${e.reason?.message || e.reason}).`));
  document.addEventListener("securitypolicyviolation", (e) => show(`The window blocked ${e.blockedURI || "some content"} (${e.violatedDirective}).`));
}

async function boot() {
  reportUnexpected();
  interceptLinks();
  renderNav();
  try {
    ctx.snapshot = await ipc.appSnapshot();
  } catch (err) {
    mount(main, h("section", { class: "screen narrow" },
      h("h1", { id: "screen-title", tabindex: "-1", text: "Lockstep could not load your progress" }),
      h("p", { class: "lead", text: "Nothing has been changed or lost." })));
    ctx.showError(err, { onRetry: () => location.reload() });
    document.body.dataset.ready = "error";
    return;
  }
  // Failed background saves reach the window as they happen (see ipc.watchSaves).
  ipc.watchSaves((status) => ctx.setSaveProblem(status?.problem)).catch((err) => ctx.showError(err));
  startupBanners(ctx.snapshot);
  show(ctx.snapshot.state.journey ? "journey" : "choose", false);
  document.body.dataset.ready = "true";
}

boot();
