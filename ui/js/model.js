// Derived views of the app snapshot: what each item's and topic's state is, journey order,
// progress. Pure functions over plain data; no DOM.

export const JOURNEYS = {
  onboarding: {
    title: "Onboarding",
    blurb: "Every item in order, for when you have just become a maintainer. About an hour, and you can stop anytime.",
  },
  review: {
    title: "Periodic review",
    blurb: "Go over everything again every few months; Lockstep re-runs its checks and shows what changed.",
  },
  travel: {
    title: "Travel",
    blurb: "What to do the evening before a trip, and what to check when you are back.",
  },
};

/** Item and topic states, worst first, each with its word and shape (the core decides which). */
export const ITEM_STATES = {
  attention: { word: "Needs attention", icon: "!" },
  unknown: { word: "Unknown", icon: "?" },
  not_started: { word: "Not started", icon: "○" },
  in_progress: { word: "In progress", icon: "◐" },
  done: { word: "Done by you", icon: "✓" },
  confirmed: { word: "Confirmed by you", icon: "✓" },
  not_applicable: { word: "Doesn't apply", icon: "–" },
  verified: { word: "Verified", icon: "✔" },
};

/** Why an item needs attention, most urgent first (the core ranks). */
export const SEVERITY_WORDS = {
  needs_fixing: "Needs fixing",
  worth_a_look: "Worth a look",
  flagged_answer: "Your answer flags a problem",
  unknown: "Lockstep could not tell",
};

/** Check result statuses, with calm words. */
export const CHECK_STATES = {
  fail: { word: "Needs fixing", icon: "✕" },
  warn: { word: "Worth a look", icon: "!" },
  unknown: { word: "Unknown", icon: "?" },
  skipped: { word: "Not set up", icon: "–" },
  not_applicable: { word: "Doesn't apply", icon: "∅" },
  pass: { word: "Good", icon: "✓" },
  pending: { word: "Not run yet", icon: "·" },
  running: { word: "Checking…", icon: "…" },
};

export const ANSWER_WORDS = {
  done: "Done",
  not_applicable: "Not applicable",
  later: "Later",
};

const CHECK_ORDER = ["fail", "warn", "unknown", "pass", "skipped", "pending"];

/** Worst status first; "not set up" after the results that say something. */
export function compareCheckStatus(a, b) {
  const rank = (s) => (CHECK_ORDER.includes(s) ? CHECK_ORDER.indexOf(s) : CHECK_ORDER.length);
  return rank(a) - rank(b);
}

export function resultsById(results) {
  return new Map((results || []).map((r) => [r.id, r]));
}

/** The items of a journey, in walking order. */
export function journeyItems(snapshot, journey) {
  return snapshot.catalogue.items.filter((item) => (item.journeys || []).includes(journey));
}

export function topicTitle(snapshot, topicId) {
  const topic = (snapshot.catalogue.topics || []).find((t) => t.id === topicId);
  return topic ? topic.title : topicId.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

/** The chosen choice of an item's question, if any. */
export function chosenChoice(item, answer) {
  const question = item.verified_by?.question;
  if (!question || !answer?.choice) return null;
  return question.choices.find((c) => c.value === answer.choice) || null;
}

/** The core's standing of one item: {state, severity, answered, later, confirmable}. */
export function standing(snapshot, itemId) {
  const found = (snapshot.assessment?.items || []).find((s) => s.id === itemId);
  return found || { id: itemId, state: "not_started", severity: null, answered: false, later: false, confirmable: false };
}

/** One of ITEM_STATES' keys for an item, as the core worked it out. */
export function itemState(snapshot, itemId) {
  return standing(snapshot, itemId).state;
}

/** The core's standing of a journey (or of every item when `journey` is null): {progress, topics}. */
export function journeyStanding(snapshot, journey) {
  const a = snapshot.assessment || {};
  return (journey ? a.journeys?.[journey] : a.overall) || { progress: { settled: 0, total: 0 }, topics: [] };
}

/** "12 of 36 done or verified": the one definition of progress on every screen. */
export function progressText(progress) {
  return `${progress.settled} of ${progress.total} done or verified`;
}

/** Per topic (catalogue order), with its items' standings, for `journey` (null: every item). */
export function topicSummaries(snapshot, journey) {
  const answers = snapshot.state.answers || {};
  const items = journey ? journeyItems(snapshot, journey) : snapshot.catalogue.items;
  return journeyStanding(snapshot, journey).topics.map((t) => {
    const entries = items.filter((item) => item.topic === t.id)
      .map((item) => ({ item, state: itemState(snapshot, item.id), standing: standing(snapshot, item.id), answer: answers[item.id] }));
    return { id: t.id, title: t.title, state: t.state, settled: t.progress.settled, total: t.progress.total, openItem: t.open_item, entries };
  });
}

/** The single most useful next thing, as the core ranked it: {kind, item, severity}. */
export function nextAction(snapshot) {
  const next = snapshot.assessment?.next;
  if (!next) return null;
  const item = snapshot.catalogue.items.find((i) => i.id === next.item_id);
  return item ? { kind: next.kind, severity: next.severity, item, answer: snapshot.state.answers?.[item.id] } : null;
}

/** The check groups in display order, with heading and not-set-up hint (the core's table). */
export function groupViews(snapshot) {
  return snapshot.groups || [];
}

/** A group's heading ("GitHub", "This device"), from the core's table. */
export function groupTitle(snapshot, group) {
  return groupViews(snapshot).find((g) => g.id === group)?.title || group;
}
