// remontada's page: plain JavaScript, inline SVG charts, no network beyond this server.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
// A probability in [0, 1] as a percentage; one that rounds to 0 or 100 without being it says so.
function pct(p, digits = 1) {
  if (p == null || Number.isNaN(p)) return "–";
  const text = (100 * p).toFixed(digits), step = 10 ** -digits;
  if (p > 0 && Number(text) === 0) return `<${step.toFixed(digits)}%`;
  if (p < 1 && Number(text) === 100) return `>${(100 - step).toFixed(digits)}%`;
  return `${text}%`;
}

// ---- talking to the API ------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `the server answered ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

async function api(path, options = {}) {
  const response = await fetch(path, options);
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

const query = (params) => new URLSearchParams(
  Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "")).toString();

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// An error box: the server's message, and "did you mean" buttons that retry with a suggestion.
function showError(box, err, retry) {
  box.replaceChildren();
  box.hidden = false;
  const body = err instanceof ApiError ? err.body : {};
  box.append(el("p", { class: "msg" }, err.message || String(err)));
  const suggestions = (body.suggestions || []).slice(0, 6);
  if (suggestions.length && retry) {
    box.append(el("p", {}, "Did you mean: ",
      ...suggestions.map((s) => el("button", { type: "button", class: "suggest", onclick: () => retry(s, body.field) }, s))));
  }
  if (body.allowed && typeof body.allowed === "string") box.append(el("p", { class: "meta" }, `expected ${body.allowed}`));
  if (body.valid && body.valid.length) box.append(el("p", { class: "meta" }, `known: ${body.valid.slice(0, 12).join("; ")}`));
}

function hideError(box) { box.hidden = true; box.replaceChildren(); }

function metaLine(data) {
  const parts = [];
  if (data.model) parts.push(`model ${data.model}, fitted as of the morning of ${data.fit_date}`);
  if (data.data_cutoff) parts.push(`latest match in the store ${data.data_cutoff}`);
  if (data.store_updated) parts.push(`store updated ${data.store_updated.replace("T", " ").replace("+00:00", " UTC")}`);
  return parts.join(" · ");
}

// ---- charts ------------------------------------------------------------------------------------
// One horizontal bar split into coloured parts: [{value, color, label}], values summing to about 1.
function splitBar(parts, height = 34) {
  const W = 600;
  const s = svg("svg", { viewBox: `0 0 ${W} ${height}`, role: "img" });
  let x = 0;
  for (const part of parts) {
    const w = Math.max(0, part.value) * W;
    if (w <= 0) continue;
    const g = svg("g");
    g.append(svg("rect", { x, y: 0, width: w, height, fill: part.color }));
    g.append(svg("title", {}, `${part.label}: ${pct(part.value)}`));
    if (w > 44) g.append(svg("text", { x: x + w / 2, y: height / 2 + 5, "text-anchor": "middle", fill: part.ink || "#fff", "font-size": 13 }, pct(part.value, 0)));
    s.append(g);
    x += w;
  }
  return s;
}

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function routeParts(routes, side) {
  const r = routes[side];
  return { after90: r.regulation + (r.away_goals || 0), extra: r.extra_time + (r.extra_time_away_goals || 0), decider: r.decider };
}

function throughBar(forecast) {
  const a = routeParts(forecast.routes, forecast.team_a), b = routeParts(forecast.routes, forecast.team_b);
  return splitBar([
    { value: a.after90, color: css("--a"), label: `${forecast.team_a} after 90'` },
    { value: a.extra, color: css("--a2"), label: `${forecast.team_a} in extra time` },
    { value: a.decider, color: css("--a3"), ink: "#222", label: `${forecast.team_a} on ${forecast.decider}` },
    { value: b.decider, color: css("--b3"), ink: "#222", label: `${forecast.team_b} on ${forecast.decider}` },
    { value: b.extra, color: css("--b2"), label: `${forecast.team_b} in extra time` },
    { value: b.after90, color: css("--b"), label: `${forecast.team_b} after 90'` },
  ]);
}

function throughNumbers(box, forecast) {
  box.replaceChildren();
  [[forecast.team_a, "sideA"], [forecast.team_b, "sideB"]].forEach(([team, cls]) => {
    const r = routeParts(forecast.routes, team);
    box.append(el("div", { class: `side ${cls}`, "data-team": team },
      el("span", { class: "p" }, pct(forecast.p_through[team])), ` ${team} through`,
      el("span", { class: "split" }, `${pct(r.after90)} after 90' · ${pct(r.extra)} extra time · ${pct(r.decider)} ${forecast.decider}`)));
  });
}

// Score grid: rows home goals, columns away goals; colour by who goes through, strength by probability.
function heatmap(grid) {
  const n = grid.probability.length, m = grid.probability[0].length, c = 44, pad = 34;
  const s = svg("svg", { viewBox: `0 0 ${pad + m * c + 4} ${pad + n * c + 4}`, role: "img" });
  const max = Math.max(...grid.probability.flat());
  const a = css("--a"), b = css("--b");
  s.append(svg("text", { x: pad + (m * c) / 2, y: 11, "text-anchor": "middle", "font-size": 11, fill: "#555" }, `${grid.away} goals →`));
  s.append(svg("text", { x: 10, y: pad + (n * c) / 2, "text-anchor": "middle", "font-size": 11, fill: "#555", transform: `rotate(-90 10 ${pad + (n * c) / 2})` }, `${grid.home} goals →`));
  for (let j = 0; j < m; j++) s.append(svg("text", { x: pad + j * c + c / 2, y: pad - 6, "text-anchor": "middle", "font-size": 11 }, j));
  for (let i = 0; i < n; i++) {
    s.append(svg("text", { x: pad - 8, y: pad + i * c + c / 2 + 4, "text-anchor": "end", "font-size": 11 }, i));
    for (let j = 0; j < m; j++) {
      const p = grid.probability[i][j], pa = grid.p_a_through[i][j];
      const g = svg("g");
      g.append(svg("rect", { x: pad + j * c, y: pad + i * c, width: c - 2, height: c - 2, fill: pa >= 0.5 ? a : b, "fill-opacity": (0.08 + 0.92 * Math.sqrt(p / max)).toFixed(3) }));
      if (pa > 0.02 && pa < 0.98) g.append(svg("rect", { x: pad + j * c + 1, y: pad + i * c + 1, width: c - 4, height: c - 4, fill: "none", stroke: "#222", "stroke-dasharray": "3 2" }));
      g.append(svg("title", {}, `${grid.home} ${i}-${j} ${grid.away}: ${pct(p)}; then ${grid.team_a} through ${pct(pa)}`));
      if (p >= 0.005) g.append(svg("text", { x: pad + j * c + c / 2 - 1, y: pad + i * c + c / 2 + 4, "text-anchor": "middle", "font-size": 10, fill: p / max > 0.35 ? "#fff" : "#222" }, (100 * p).toFixed(p < 0.1 ? 1 : 0)));
      s.append(g);
    }
  }
  return s;
}

function minuteValue(label) {
  const text = String(label).toUpperCase();
  if (text === "HT") return 45.5;
  if (text === "FT") return 91;
  const m = text.match(/^(\d+)(\+(\d*))?/);
  if (!m) return NaN;
  return Number(m[1]) + (m[2] ? 0.5 : 0);
}

// The comeback curve: P(team through) if it scores next at each minute, and if nothing changes.
function curveChart(curve) {
  const W = 440, H = 220, L = 40, R = 10, T = 10, B = 28;
  const rows = curve.rows.map((r) => ({ x: minuteValue(r.minute), at: r.if_next_goal_at, flat: r.if_unchanged })).filter((r) => !Number.isNaN(r.x));
  const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img" });
  if (!rows.length) return s;
  const x0 = rows[0].x, x1 = Math.max(x0 + 1, rows[rows.length - 1].x);
  const top = Math.max(0.1, ...rows.map((r) => r.at || 0));
  const ymax = Math.min(1, Math.ceil(top * 5) / 5);
  const X = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R), Y = (y) => T + (1 - y / ymax) * (H - T - B);
  for (let k = 0; k <= 4; k++) {
    const y = (ymax * k) / 4;
    s.append(svg("line", { x1: L, x2: W - R, y1: Y(y), y2: Y(y), stroke: "#e3e6ea" }));
    s.append(svg("text", { x: L - 4, y: Y(y) + 4, "text-anchor": "end", "font-size": 10, fill: "#555" }, pct(y, 0)));
  }
  for (let m = Math.ceil(x0 / 15) * 15; m <= 90; m += 15) s.append(svg("text", { x: X(m), y: H - 10, "text-anchor": "middle", "font-size": 10, fill: "#555" }, `${m}'`));
  const path = (key) => rows.filter((r) => r[key] != null).map((r, i) => `${i ? "L" : "M"}${X(r.x).toFixed(1)},${Y(r[key]).toFixed(1)}`).join("");
  s.append(svg("path", { d: path("flat"), fill: "none", stroke: "#888", "stroke-width": 2, "stroke-dasharray": "5 3" }));
  s.append(svg("path", { d: path("at"), fill: "none", stroke: css("--a"), "stroke-width": 2.5, class: "curve-line" }));
  return s;
}

// ---- club names as you type ----------------------------------------------------------------------
let clubTimer = null;
function suggestClubs(event) {
  const q = event.target.value.trim();
  clearTimeout(clubTimer);
  if (q.length < 3) return;
  clubTimer = setTimeout(async () => {
    try {
      const data = await api(`/api/clubs?${query({ q, limit: 8 })}`);
      $("club-names").replaceChildren(...data.answer.clubs.map((c) => el("option", { value: c.name })));
    } catch (e) { /* suggestions are a convenience */ }
  }, 200);
}
document.querySelectorAll("input[list=club-names]").forEach((i) => i.addEventListener("input", suggestClubs));

// ---- tie view ------------------------------------------------------------------------------------
let competitions = [];
let tieList = [];
let lastTie = null;

async function loadCompetitions() {
  try {
    const data = await api("/api/competitions");
    competitions = data.answer.competitions;
    $("tie-competition").replaceChildren(el("option", { value: "" }, "choose…"),
      ...competitions.map((c) => el("option", { value: c.id }, c.name)));
  } catch (e) {
    $("tie-competition").replaceChildren(el("option", { value: "" }, "unavailable"));
  }
}

$("tie-competition").addEventListener("change", () => {
  const c = competitions.find((x) => x.id === $("tie-competition").value);
  $("tie-season").replaceChildren(...(c ? c.seasons.slice().reverse() : []).map((s) => el("option", { value: s }, s)));
  $("tie-season").dispatchEvent(new Event("change"));
});

let tieListSeq = 0;
$("tie-season").addEventListener("change", async () => {
  const competition = $("tie-competition").value, season = $("tie-season").value;
  const seq = ++tieListSeq;  // only the latest choice fills the list, whatever order the answers come in
  $("tie-list").replaceChildren();
  if (!competition || !season) return;
  try {
    const data = await api(`/api/ties?${query({ competition, season })}`);
    if (seq !== tieListSeq) return;
    tieList = data.answer.ties;
    $("tie-list").replaceChildren(el("option", { value: "" }, `choose a tie (${tieList.length})…`),
      ...tieList.map((t, i) => el("option", { value: i }, `${t.round || t.stage}: ${t.team_a} v ${t.team_b}`)));
  } catch (err) { showError($("tie-error"), err); }
});

$("tie-list").addEventListener("change", () => {
  const t = tieList[Number($("tie-list").value)];
  if (!t || $("tie-list").value === "") return;
  $("tie-home").value = t.team_a;
  $("tie-away").value = t.team_b;
  $("tie-season-typed").value = t.season;
  runTie({ home: t.team_a_id, away: t.team_b_id, competition: t.competition_id, season: t.season, round: t.round });
});

$("tie-pick").addEventListener("submit", (event) => {
  event.preventDefault();
  runTie({ home: $("tie-home").value.trim(), away: $("tie-away").value.trim(), season: $("tie-season-typed").value.trim() });
});

async function runTie(params) {
  hideError($("tie-error"));
  location.hash = "tie";
  try {
    const data = await api(`/api/tie?${query(params)}`);
    renderTie(data);
  } catch (err) {
    $("tie-result").hidden = true;
    showError($("tie-error"), err, (s, field) => {
      const f = field === "away" || (field !== "home" && params.away && err.body.query === params.away) ? "away" : "home";
      $(`tie-${f}`).value = s;
      runTie({ ...params, [f]: s });
    });
  }
}

// One leg as "first leg, 2024-04-11: Liverpool 0-3 Atalanta"; the score text (extra time, penalties, a
// score not recorded) is the library's, so the page and the CLI read alike.
function legLine(tie, leg, label) {
  if (!leg) return null;
  const names = { [tie.team_a]: tie.name_a, [tie.team_b]: tie.name_b };
  const played = leg.status === "played" || leg.status === "awarded";
  const score = played ? leg.score : "v";
  const day = leg.date || "date not recorded";
  const neutral = leg.neutral ? " (neutral venue)" : "";
  const todo = played ? "" : ` (${leg.status === "scheduled" || !leg.status ? "to play" : leg.status})`;
  return el("li", {}, `${label}, ${day}: ${names[leg.home_id] || leg.home_id} ${score} ${names[leg.away_id] || leg.away_id}${neutral}${todo}`);
}

function renderTie(data) {
  const a = data.answer, t = a.tie, f = a.forecast;
  lastTie = a;
  $("tie-result").hidden = false;
  $("tie-title").textContent = `${t.name_a} v ${t.name_b} · ${t.competition_name || t.competition} ${t.season} ${t.round_name || t.round || ""}`;
  const legs = [legLine(t, t.leg1, "first leg"), legLine(t, t.leg2, "second leg")].filter(Boolean);
  legs.push(el("li", { class: "meta" }, `forecast as of the morning of ${t.as_of} (${t.phase.replace(/_/g, " ")}); rules: ${t.rules}`));
  for (const note of [...(t.hypothetical || []), ...(t.notes || [])]) legs.push(el("li", { class: "meta" }, note));
  if (a.record) legs.push(el("li", { class: "meta" }, `what happened: ${a.record} (${a.record_note})`));
  $("tie-legs").replaceChildren(...legs);
  throughNumbers($("tie-through"), f);
  $("tie-bar").replaceChildren(throughBar(f));
  const focus = a.history ? a.history.side_name : (f.p_through[f.team_a] <= 0.5 ? f.team_a : f.team_b);
  const grid = a.grid;
  const needs = f.needs[focus] || [];
  const matchName = (grid.match || "").replace("_", "-");
  $("tie-needs-title").textContent = `What ${focus} need: ${matchName} scores (${grid.home} first)`;
  $("tie-needs").replaceChildren(
    el("tr", {}, el("th", {}, "score"), el("th", {}, "chance of it"), el("th", {}, `then ${focus} through`)),
    ...needs.map((s) => el("tr", {}, el("td", {}, s.score), el("td", {}, pct(s.probability)),
      el("td", {}, pct(focus === f.team_a ? s.p_a_through : 1 - s.p_a_through)))));
  $("tie-heat-title").textContent = `${matchName} score: ${grid.home} v ${grid.away} (%, colour: who goes through)`;
  $("tie-heat").replaceChildren(heatmap(grid));
  renderHistory($("tie-history"), a.history);
  const leg2 = t.leg2 || t.leg1;
  $("tie-to-live").hidden = !(leg2 && t.legs === 2);
  if (leg2) {
    const names = { [t.team_a]: t.name_a, [t.team_b]: t.name_b };
    $("tie-to-live").onclick = () => {
      $("live-home").value = names[leg2.home_id];
      $("live-away").value = names[leg2.away_id];
      $("live-date").value = leg2.date;
      resetLive();
    };
  }
  $("tie-meta").textContent = `${metaLine(data)} · fitted on ${a.model.matches.toLocaleString()} club matches, latest ${a.model.latest_match}`;
}

// The base rates, and the comebacks behind each: main draw and qualifying rounds apart, latest first,
// each named as its competition was called that season. The answer lists the latest few of each group;
// "more" shows the rest of them and fetches further pages from /api/history (the rate's `more` query).
const COMEBACKS_SHOWN = 8, COMEBACKS_PAGE = 50;

function comebackItem(c) {
  const head = [c.season, c.competition_name, c.round_name].filter(Boolean).join(" ");
  return el("li", {}, el("span", { class: "when" }, `${c.date || "date not recorded"} · ${head}`), el("br"),
    (c.legs || []).join("; "), " → ", el("b", {}, c.outcome || `${c.winner} through`));
}

function comebackGroup(title, items, total, more, groupName) {
  const group = el("div", { class: "cb-group" }, el("h4", {}, `${title} (${total})`));
  group.append(el("ul", { class: "comebacks" }, ...items.slice(0, COMEBACKS_SHOWN).map(comebackItem)));
  if (total > COMEBACKS_SHOWN) {
    const list = el("ul", { class: "comebacks" }, ...items.slice(COMEBACKS_SHOWN).map(comebackItem));
    const details = el("details", {}, el("summary", {}, `${total - COMEBACKS_SHOWN} more`), list);
    let loaded = items.length;
    if (loaded < total && more) {
      const button = el("button", { type: "button", class: "cb-more" });
      const label = () => { button.textContent = `show ${Math.min(COMEBACKS_PAGE, total - loaded)} more of ${total - loaded}`; };
      label();
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          const data = await api(`/api/history?${query({ ...more, group: groupName, offset: loaded, limit: COMEBACKS_PAGE })}`);
          const page = data.answer.comebacks || [];
          list.append(...page.map(comebackItem));
          loaded += page.length;
          if (loaded >= total || !page.length) button.remove();
          else { label(); button.disabled = false; }
        } catch (err) {
          button.textContent = `could not fetch more: ${err.message}`;
        }
      });
      details.append(button);
    }
    group.append(details);
  }
  return group;
}

function renderHistory(box, history) {
  box.replaceChildren();
  if (!history) { box.append(el("p", { class: "meta" }, "no base rate for this stage")); return; }
  const names = history.competition_eras || history.competition_names || history.competitions;
  box.append(el("p", { class: "meta" }, `two-legged ties in the ${names.join(", ")} that ended before ${history.before}`));
  for (const r of history.rates) {
    box.append(el("p", { class: "rate" }, `${r.label}: `, el("b", {}, `${r.k} of ${r.n}`), ` went through (${pct(r.p)}`,
      r.n ? `, 95% interval ${pct(r.low)}–${pct(r.high)})` : ")"));
    const comebacks = r.comebacks || [];
    const main = comebacks.filter((c) => !c.qualifying), qualifying = comebacks.filter((c) => c.qualifying);
    if (!comebacks.length) continue;
    const totals = r.comebacks_total || { main_draw: main.length, qualifying: qualifying.length };
    const groups = el("div", { class: "cb-groups" });
    if (totals.main_draw) groups.append(comebackGroup("in the main draw", main, totals.main_draw, r.more, "main_draw"));
    if (totals.qualifying) {
      groups.append(comebackGroup("in qualifying rounds", qualifying, totals.qualifying, r.more, "qualifying"));
    }
    box.append(groups);
  }
}

// ---- live view -----------------------------------------------------------------------------------
let liveSeq = 0, liveTimer = null;
function liveParams() {
  return {
    home: $("live-home").value.trim(), away: $("live-away").value.trim(), date: $("live-date").value,
    minute: $("live-minute").value,
    score: `${$("live-score-home").value || 0}-${$("live-score-away").value || 0}`,
    red_cards: `${$("live-red-home").value || 0}-${$("live-red-away").value || 0}`,
    last_goal: lastGoal(),
  };
}

// "7 away" when both the minute and the side of the last goal are given; otherwise not asked
function lastGoal() {
  const minute = $("live-last-minute").value, side = $("live-last-side").value;
  return minute !== "" && side ? `${minute} ${side}` : undefined;
}

function resetLive() {
  $("live-minute").value = 0;
  for (const id of ["live-score-home", "live-score-away", "live-red-home", "live-red-away"]) $(id).value = 0;
  $("live-last-minute").value = "";
  $("live-last-side").value = "";
  location.hash = "live";
  refreshLive(0);
}

function refreshLive(delay = 40) {
  $("live-minute-out").textContent = `${$("live-minute").value}'`;
  clearTimeout(liveTimer);
  liveTimer = setTimeout(async () => {
    const seq = ++liveSeq, params = liveParams();
    if (!params.home || !params.away) return;
    try {
      const data = await api(`/api/live?${query(params)}`);
      if (seq !== liveSeq) return;
      hideError($("live-error"));
      renderLive(data);
    } catch (err) {
      if (seq !== liveSeq) return;
      showError($("live-error"), err, (s, field) => {
        const f = field === "away" || err.body.query === params.away ? "away" : "home";
        $(`live-${f}`).value = s;
        refreshLive(0);
      });
    }
  }, delay);
}

["live-minute", "live-score-home", "live-score-away", "live-red-home", "live-red-away", "live-last-minute"].forEach((id) => $(id).addEventListener("input", () => refreshLive()));
$("live-last-side").addEventListener("change", () => refreshLive(0));
["live-home", "live-away", "live-date"].forEach((id) => $(id).addEventListener("change", () => refreshLive(0)));
$("live-form").addEventListener("submit", (e) => { e.preventDefault(); refreshLive(0); });

function renderLive(data) {
  const a = data.answer;
  $("live-result").hidden = false;
  $("live-title").textContent = a.match;
  $("live-bar-legend").hidden = !a.tie;
  if (a.tie) {
    throughNumbers($("live-through"), a.tie);
    $("live-bar").replaceChildren(throughBar(a.tie));
  } else {
    $("live-through").replaceChildren(el("p", { class: "meta" }, "a single match: no tie to go through"));
    $("live-bar").replaceChildren();
  }
  const r = a.result;
  $("live-wdl").replaceChildren(splitBar([
    { value: r.home_win, color: "#444", label: `${a.home} win` },
    { value: r.draw, color: "#999", label: "draw" },
    { value: r.away_win, color: "#bbb", ink: "#222", label: `${a.away} win` },
  ], 26));
  $("live-wdl-text").textContent = `${a.home} win ${pct(r.home_win)} · draw ${pct(r.draw)} · ${a.away} win ${pct(r.away_win)} · score now ${a.score}, red cards ${a.red_cards}${a.last_goal ? `, last goal ${a.last_goal}` : ""}`;
  const curve = a.comeback_curve;
  $("live-curve").parentElement.hidden = !curve;
  if (curve) {
    $("live-curve-title").textContent = `Comeback curve: ${curve.team} through if they score next at that minute (${a.score}, ${a.minute}')`;
    $("live-curve").replaceChildren(curveChart(curve));
  }
  $("live-meta").textContent = `${metaLine(data)} · pre-match expected goals ${a.home} ${a.pre_match_rates.home.toFixed(2)}, ${a.away} ${a.pre_match_rates.away.toFixed(2)}`;
}

// ---- competition view ----------------------------------------------------------------------------
$("sim-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  hideError($("sim-error"));
  const body = { competition: $("sim-competition").value.trim(), season: $("sim-season").value.trim(), date: $("sim-date").value, sims: Number($("sim-sims").value) };
  $("sim-title").textContent = "simulating…";
  try {
    const data = await api("/api/simulate", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    renderSim(data);
  } catch (err) {
    $("sim-result").hidden = true;
    showError($("sim-error"), err, (s) => { $("sim-competition").value = s; $("sim-form").requestSubmit(); });
  }
});

function renderSim(data) {
  const a = data.answer;
  $("sim-result").hidden = false;
  $("sim-title").textContent = `${a.competition} ${a.season} from ${a.date}: ${a.simulations.toLocaleString()} simulations (seed ${a.seed})`;
  $("sim-notes").replaceChildren(...(a.assumptions || a.notes || []).map((n) => el("li", {}, n)));
  const rows = a.knockout || a.table || [];
  const skip = new Set(["club_id", "club", "played", "points", "goal_difference", "expected_points", "group"]);
  const columns = rows.length ? Object.keys(rows[0]).filter((k) => !skip.has(k) && typeof rows[0][k] === "number") : [];
  const box = $("sim-bars");
  box.replaceChildren(el("div", { class: "simrow simhead" }, el("span", {}, "club"), el("span", {}, `chance to reach: ${columns.join(" · ")}`)));
  const palette = ["#9fb8d6", "#6f97c6", "#3f74b3", "#1d4e89", "#c8102e", "#8a0b20"];
  // the chart is drawn at the width it is shown at (one unit a CSS pixel), so its labels stay readable
  // on a phone; the club's name goes above the bars there (see app.css)
  const phone = window.matchMedia("(max-width: 640px)").matches;
  const W = Math.max(240, Math.round(box.clientWidth - (phone ? 26 : 180)));
  const label = 118, span = W - label;
  for (const row of rows) {
    const h = 6 + 14 * columns.length;
    const s = svg("svg", { viewBox: `0 0 ${W} ${h}`, width: W, height: h, role: "img" });
    columns.forEach((c, k) => {
      const v = row[c], y = 4 + 14 * k;
      s.append(svg("rect", { x: 0, y, width: Math.max(0.5, v * span), height: 11, fill: palette[Math.min(k, palette.length - 1) + Math.max(0, palette.length - columns.length)] || palette[k % palette.length] }));
      s.append(svg("text", { x: v * span + 4, y: y + 10, "font-size": 11, fill: "#333" }, `${c} ${pct(v)}`));
    });
    box.append(el("div", { class: "simrow" }, el("span", { class: "club", title: row.club }, row.club), s));
  }
  $("sim-meta").textContent = metaLine(data);
}

// ---- ratings and one match -------------------------------------------------------------------------
$("predict-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  hideError($("predict-error"));
  const params = { home: $("predict-home").value.trim(), away: $("predict-away").value.trim(), date: $("predict-date").value };
  try {
    const data = await api(`/api/predict?${query(params)}`);
    const a = data.answer, box = $("predict-result");
    box.hidden = false;
    box.replaceChildren(
      el("h3", {}, `${a.home} v ${a.away}${a.neutral ? " (neutral)" : ""}, ${a.as_of}`),
      el("div", { class: "bar-holder" }, splitBar([
        { value: a.home_win, color: css("--a"), label: `${a.home} win` },
        { value: a.draw, color: "#999", label: "draw" },
        { value: a.away_win, color: css("--b"), label: `${a.away} win` }], 28)),
      el("p", {}, `${a.home} win ${pct(a.home_win)} · draw ${pct(a.draw)} · ${a.away} win ${pct(a.away_win)} · expected goals ${a.home} ${a.expected_goals.home.toFixed(2)}, ${a.away} ${a.expected_goals.away.toFixed(2)}`),
      el("p", { class: "meta" }, `most likely scores: ${(a.top_scores || []).map((s) => `${s.home}-${s.away} ${pct(s.p)}`).join(", ")}`),
      el("p", { class: "meta" }, metaLine(data)));
  } catch (err) {
    $("predict-result").hidden = true;
    showError($("predict-error"), err, (s, field) => { $(field === "away" ? "predict-away" : "predict-home").value = s; $("predict-form").requestSubmit(); });
  }
});

const RATING_HEADS = { league_name: "league", overall: "overall", attack: "attack", defence: "defence", elo: "Elo" };
const RATING_NOTES = {
  overall: "expected goal difference per 90 minutes against an average side at a neutral venue",
  attack: "log multiplier of the goals per 90 minutes the club scores (0 = average, higher is better)",
  defence: "log multiplier of the goals per 90 minutes the club keeps out (0 = average, higher is better)",
  elo: "Elo points",
};

$("ratings-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  hideError($("ratings-error"));
  const params = { date: $("ratings-date").value, competition: $("ratings-competition").value.trim(), top: $("ratings-top").value };
  try {
    const data = await api(`/api/ratings?${query(params)}`);
    const rows = data.answer.ratings, box = $("ratings-result");
    // the league's name, not its id; every number column says what it measures
    const hidden = new Set(["club_id", ...(rows.length && "league_name" in rows[0] ? ["league"] : [])]);
    const cols = rows.length ? Object.keys(rows[0]).filter((k) => !hidden.has(k)) : [];
    const fmt = (k, v) => (v == null ? "–" : typeof v === "number" && !Number.isInteger(v) ? (k === "elo" ? v.toFixed(0) : v.toFixed(2)) : v);
    const align = (c) => (rows.length && typeof rows[0][c] === "number" ? "" : "txt");
    box.hidden = false;
    box.replaceChildren(el("table", { class: "numbers" },
      el("tr", {}, ...cols.map((c) => el("th", { class: align(c), title: RATING_NOTES[c] || "" }, RATING_HEADS[c] || c.replace(/_/g, " ")))),
      ...rows.map((r) => el("tr", {}, ...cols.map((c) => el("td", { class: align(c) }, String(fmt(c, r[c]))))))),
      el("ul", { class: "notes" }, ...cols.filter((c) => RATING_NOTES[c]).map((c) => el("li", {}, el("b", {}, RATING_HEADS[c] || c), `: ${RATING_NOTES[c]}`))),
      el("p", { class: "meta" }, `${data.answer.model} ratings as of the morning of ${data.answer.as_of}${data.answer.competition ? `, clubs that played the ${data.answer.competition} in the year before` : ""}`),
      el("p", { class: "meta" }, metaLine(data)));
  } catch (err) {
    $("ratings-result").hidden = true;
    showError($("ratings-error"), err, (s) => { $("ratings-competition").value = s; $("ratings-form").requestSubmit(); });
  }
});

// ---- article -----------------------------------------------------------------------------------------
$("article-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  hideError($("article-error"));
  const body = { text: $("article-text").value };
  if ($("article-date").value) body.date = $("article-date").value;
  const box = $("article-result");
  box.hidden = false;
  box.replaceChildren(el("p", { class: "meta" }, "reading…"));
  try {
    const data = await api("/api/read", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    renderArticle(box, data);
  } catch (err) {
    box.hidden = true;
    showError($("article-error"), err);
  }
});

function renderArticle(box, data) {
  const a = data.answer;
  const parts = [];
  const title = (a.tie && a.tie.title) || (a.match_forecast && `${a.match_forecast.home} v ${a.match_forecast.away}`) || "What the article is about";
  parts.push(el("h3", { class: "headline" }, title));
  if (a.tie && a.tie.as_of_reason) parts.push(el("p", { class: "meta" }, a.tie.as_of_reason));
  const answer = a.answer;
  if (answer && answer.forecast) {
    const holder = el("div", { class: "through" });
    throughNumbers(holder, answer.forecast);
    parts.push(holder, el("div", { class: "bar-holder" }, throughBar(answer.forecast)));
    const t = answer.tie;
    if (t) parts.push(el("ul", { class: "legs" }, [legLine(t, t.leg1, "first leg"), legLine(t, t.leg2, "second leg")].filter(Boolean)));
  }
  const mf = a.match_forecast;
  if (mf && mf.home_win != null) {
    parts.push(el("p", {}, `${mf.home} win ${pct(mf.home_win)} · draw ${pct(mf.draw)} · ${mf.away} win ${pct(mf.away_win)}`));
  }
  if (a.comeback_curve && a.comeback_curve.rows && a.comeback_curve.rows.length > 1) {
    parts.push(el("h3", {}, `Comeback curve: ${a.comeback_curve.team}`), el("div", { class: "curve" }, curveChart(a.comeback_curve)));
    if (a.comeback_curve.note) parts.push(el("p", { class: "meta" }, a.comeback_curve.note));
  }
  if (Array.isArray(a.claims) && a.claims.length) {
    parts.push(el("h3", {}, "The article's claims, checked against the store"),
      el("ul", { class: "notes claims" }, ...a.claims.map((c) => el("li", {}, `${c.claim}: `, el("b", {}, c.status), c.note ? ` (${c.note})` : ""))));
  }
  if (Array.isArray(a.cannot) && a.cannot.length) parts.push(el("ul", { class: "notes" }, ...a.cannot.map((c) => el("li", {}, typeof c === "string" ? c : JSON.stringify(c)))));
  parts.push(el("details", {}, el("summary", {}, "the full answer (JSON)"), el("pre", {}, JSON.stringify(a, null, 2))));
  parts.push(el("p", { class: "meta" }, metaLine(data)));
  box.replaceChildren(...parts);
}

// ---- views -------------------------------------------------------------------------------------------
function showView() {
  const view = (location.hash || "#tie").slice(1).split("?")[0];
  const known = ["tie", "live", "competition", "ratings", "article"].includes(view) ? view : "tie";
  document.querySelectorAll(".view").forEach((s) => { s.hidden = s.id !== `view-${known}`; });
  document.querySelectorAll("#tabs a").forEach((a) => a.classList.toggle("active", a.dataset.view === known));
  if (known === "live" && $("live-result").hidden && $("live-error").hidden) refreshLive(0);
}
window.addEventListener("hashchange", showView);
showView();
loadCompetitions();
