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

/** Item and topic states, worst first, each with its word and shape. */
export const ITEM_STATES = {
  attention: { word: "Needs attention", icon: "!" },
  unknown: { word: "Unknown", icon: "?" },
  not_started: { word: "Not started", icon: "○" },
  in_progress: { word: "In progress", icon: "◐" },
  done: { word: "Done by you", icon: "✓" },
  verified: { word: "Verified", icon: "✓" },
};

/** Check result statuses, with calm words. */
export const CHECK_STATES = {
  fail: { word: "Needs fixing", icon: "✕" },
  warn: { word: "Worth a look", icon: "!" },
  unknown: { word: "Unknown", icon: "?" },
  skipped: { word: "Not set up", icon: "–" },
  pass: { word: "Good", icon: "✓" },
  pending: { word: "Not run yet", icon: "·" },
  running: { word: "Checking…", icon: "…" },
};

export const ANSWER_WORDS = {
  done: "Done",
  not_applicable: "Not applicable",
  later: "Later",
};

const CHECK_ORDER = ["fail", "warn", "unknown", "skipped", "pass"];

/** Worst status first. */
export function compareCheckStatus(a, b) {
  return CHECK_ORDER.indexOf(a) - CHECK_ORDER.indexOf(b);
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

/** One of ITEM_STATES' keys for an item, from its answer and the latest check results. */
export function itemState(item, answer, results) {
  const checkResults = (item.verified_by?.checks || []).map((id) => results.get(id)).filter(Boolean);
  if (checkResults.some((r) => r.status === "fail" || r.status === "warn")) return "attention";
  if (chosenChoice(item, answer)?.flagged) return "attention";
  const ran = checkResults.filter((r) => r.status !== "skipped");
  if (ran.length > 0 && ran.every((r) => r.status === "pass")) return "verified";
  if (answer && (answer.status === "done" || answer.status === "not_applicable")) return "done";
  if (ran.some((r) => r.status === "unknown")) return "unknown";
  return "not_started";
}

/** Per topic (catalogue order): its items, their states and the topic's overall state. */
export function topicSummaries(snapshot, items) {
  const results = resultsById(snapshot.latest_results);
  const answers = snapshot.state.answers || {};
  const order = (snapshot.catalogue.topics || []).map((t) => t.id);
  const byTopic = new Map();
  for (const item of items) {
    if (!byTopic.has(item.topic)) byTopic.set(item.topic, []);
    byTopic.get(item.topic).push({ item, state: itemState(item, answers[item.id], results), answer: answers[item.id] });
  }
  const topics = [...byTopic.keys()].sort((a, b) => rank(order, a) - rank(order, b));
  return topics.map((id) => {
    const entries = byTopic.get(id);
    const states = entries.map((e) => e.state);
    const settled = states.filter((s) => s === "done" || s === "verified").length;
    let state;
    if (states.includes("attention")) state = "attention";
    else if (states.every((s) => s === "verified")) state = "verified";
    else if (settled === states.length) state = "done";
    else if (states.includes("unknown")) state = "unknown";
    else if (settled > 0) state = "in_progress";
    else state = "not_started";
    return { id, title: topicTitle(snapshot, id), entries, state, settled, total: entries.length };
  });
}

function rank(order, id) {
  const i = order.indexOf(id);
  return i === -1 ? order.length : i;
}

/** How many of the items have an answer. */
export function answeredCount(snapshot, items) {
  const answers = snapshot.state.answers || {};
  return items.filter((item) => answers[item.id]).length;
}

/** The single most useful next thing: the first item needing attention, else the first open one. */
export function nextAction(snapshot) {
  const journey = snapshot.state.journey || "onboarding";
  const items = journeyItems(snapshot, journey);
  const results = resultsById(snapshot.latest_results);
  const answers = snapshot.state.answers || {};
  const states = items.map((item) => ({ item, state: itemState(item, answers[item.id], results), answer: answers[item.id] }));
  const attention = states.find((s) => s.state === "attention");
  if (attention) return { kind: "attention", journey, ...attention };
  const open = states.find((s) => !s.answer && s.state !== "verified");
  if (open) return { kind: "open", journey, ...open };
  const later = states.find((s) => s.answer?.status === "later");
  if (later) return { kind: "later", journey, ...later };
  return null;
}

/** The platform a check group belongs to, for headings. */
export const GROUP_TITLES = {
  github: "GitHub",
  gitlab: "GitLab",
  npm: "npm",
  pypi: "PyPI",
  rubygems: "RubyGems",
  crates: "crates.io",
  device: "This device",
  email: "Account email",
};
export const GROUP_ORDER = Object.keys(GROUP_TITLES);
