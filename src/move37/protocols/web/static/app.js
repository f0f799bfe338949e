// The move37 play page: one game at a time against an agent, through the JSON API.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const CELL = 60;
const MARGIN = 24;  // room for the coordinates above and left of the board
const PIECES = { K: "\u2654", Q: "\u2655", R: "\u2656", B: "\u2657", N: "\u2658", P: "\u2659",
                 k: "\u265A", q: "\u265B", r: "\u265C", b: "\u265D", n: "\u265E", p: "\u265F" };
// Per game: background, stone colours of player 0 and 1, and how stones are drawn.
const STYLES = {
  go: { bg: "#dcb35c", stones: ["#111", "#f4f4f0"], lines: true },
  othello: { bg: "#2e7d32", stones: ["#111", "#f4f4f0"], grid: "#1b4d1e", hints: true },
  connect4: { bg: "#1f4fa0", stones: ["#d8342c", "#f2c200"], holes: true },
  tictactoe: { bg: "#ffffff", marks: ["X", "O"], grid: "#333" },
};
const DEFAULT_STYLE = { bg: "#eee", stones: ["#111", "#f4f4f0"], grid: "#999" };

let view = null;      // the last view from the server
let busy = false;
let chessFrom = null; // chess: the selected from-square [row, col]

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const resp = await fetch(path, opts);
  const data = await resp.json();
  if (!resp.ok) {
    const err = new Error(data.error || resp.statusText);
    err.status = resp.status;
    throw err;
  }
  return data;
}

function setBusy(flag) {
  busy = flag;
  document.body.dataset.state = flag ? "busy" : (view && view.terminal ? "over" : "ready");
}

async function run(step) {
  if (busy) return;
  setBusy(true);
  $("error").textContent = "";
  try {
    await step();
  } catch (e) {
    $("error").textContent = e.message;
  } finally {
    setBusy(false);
    if (view) render();  // re-arm the board: clicks are live only when idle
  }
}

async function agentTurns() {
  while (view && !view.terminal && view.to_move !== view.human) {
    $("status").textContent = "The agent is thinking\u2026";
    try {
      view = await api("POST", `/api/games/${view.id}/agent`, {});
    } catch (e) {
      if (e.status !== 504) throw e;
      view = await lateMove(view);  // past the server's deadline: the move lands when the search ends
    }
    render();
  }
}

async function lateMove(before) {
  for (let i = 0; i < 120; i++) {  // a minute, then give up with the server's last word
    await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      const now = await api("GET", `/api/games/${before.id}`);
      if (now.moves.length > before.moves.length) return now;
    } catch (e) {
      if (e.status !== 409) throw e;  // 409: still thinking
    }
  }
  throw new Error("the agent did not move in time");
}

function newGame(ev) {
  ev.preventDefault();
  run(async () => {
    view = await api("POST", "/api/games", {
      game: $("game").value, agent: $("agent").value.trim(), human: Number($("human").value) });
    chessFrom = null;
    render();
    await agentTurns();
  });
}

function play(action) {
  run(async () => {
    view = await api("POST", `/api/games/${view.id}/move`, { action });
    chessFrom = null;
    render();
    await agentTurns();
  });
}

function undo() {
  run(async () => {
    view = await api("POST", `/api/games/${view.id}/undo`, {});
    chessFrom = null;
    render();
    await agentTurns();  // taking back the agent's opening move gives it the move again
  });
}

function el(name, attrs, parent, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function myTurn() {
  return view && !view.terminal && view.to_move === view.human && !busy;
}

// Which legal move (if any) a click on (row, col) plays.
function legalAt(r, c) {
  const b = view.board;
  return view.legal.filter((m) => m.cell && (b.kind === "columns" ? m.cell[1] === c : m.cell[0] === r && m.cell[1] === c));
}

function renderGrid(svg, b, style) {
  el("rect", { x: 0, y: 0, width: b.cols * CELL, height: b.rows * CELL, fill: style.bg }, svg);
  if (style.lines) {
    for (let i = 0; i < b.rows; i++) el("line", { x1: CELL / 2, x2: (b.cols - .5) * CELL, y1: (i + .5) * CELL, y2: (i + .5) * CELL, stroke: "#333" }, svg);
    for (let j = 0; j < b.cols; j++) el("line", { y1: CELL / 2, y2: (b.rows - .5) * CELL, x1: (j + .5) * CELL, x2: (j + .5) * CELL, stroke: "#333" }, svg);
  }
  for (let r = 0; r < b.rows; r++) {
    for (let c = 0; c < b.cols; c++) {
      const moves = myTurn() ? legalAt(r, c) : [];
      const cell = el("rect", { x: c * CELL, y: r * CELL, width: CELL, height: CELL, class: "cell" + (moves.length ? " legal" : ""),
                                 fill: style.lines || style.holes ? "transparent" : style.bg,
                                 stroke: style.grid || "none", "data-row": r, "data-col": c }, svg);
      if (moves.length) {
        cell.dataset.action = moves[0].action;
        el("title", {}, cell, moves[0].text);
        cell.addEventListener("click", () => play(moves[0].action));
      }
      const v = b.stones[r][c];
      const cx = (c + .5) * CELL, cy = (r + .5) * CELL;
      if (style.hints && moves.length) el("circle", { cx, cy, r: CELL * .1, fill: "rgba(0,0,0,.35)", "pointer-events": "none" }, svg);
      if (style.holes && !v) el("circle", { cx, cy, r: CELL * .4, fill: "#fafaf7", "pointer-events": "none" }, svg);
      if (!v) continue;
      if (style.marks) {
        el("text", { x: cx, y: cy + CELL * .17, "text-anchor": "middle", "font-size": CELL * .55, "font-weight": 700,
                     fill: v === 1 ? "#243447" : "#c0392b", "pointer-events": "none", class: "stone" }, svg, style.marks[v - 1]);
      } else {
        el("circle", { cx, cy, r: CELL * .42, fill: style.stones[v - 1], stroke: "#222", "pointer-events": "none", class: "stone" }, svg);
      }
    }
  }
  if (b.last) {
    const [r, c] = b.last;
    el("circle", { cx: (c + .5) * CELL, cy: (r + .5) * CELL, r: CELL * .1, fill: "#e74c3c", "pointer-events": "none" }, svg);
  }
}

function renderChess(svg, b) {
  const froms = myTurn() ? view.legal : [];
  for (let r = 0; r < 8; r++) {
    for (let c = 0; c < 8; c++) {
      const selected = chessFrom && chessFrom[0] === r && chessFrom[1] === c;
      const targets = chessFrom ? froms.filter((m) => m.from[0] === chessFrom[0] && m.from[1] === chessFrom[1] && m.to[0] === r && m.to[1] === c) : [];
      const starts = froms.filter((m) => m.from[0] === r && m.from[1] === c);
      const recent = b.last && b.last.some(([lr, lc]) => lr === r && lc === c);
      const cell = el("rect", { x: c * CELL, y: r * CELL, width: CELL, height: CELL, "data-row": r, "data-col": c,
                                 class: "cell" + (targets.length || starts.length ? " legal" : ""),
                                 fill: selected ? "#f6e27a" : targets.length ? "#a9d18e" : recent ? "#cdd26a" : (r + c) % 2 ? "#b58863" : "#f0d9b5" }, svg);
      cell.addEventListener("click", () => {
        if (targets.length) {
          const queen = targets.find((m) => !m.promotion || m.promotion === "q") || targets[0];
          play(queen.action);
        } else {
          chessFrom = starts.length ? [r, c] : null;
          render();
        }
      });
      const p = b.squares[r][c];
      if (p) el("text", { x: (c + .5) * CELL, y: (r + .5) * CELL + CELL * .25, "text-anchor": "middle", "font-size": CELL * .75,
                          "pointer-events": "none", class: "stone" }, svg, PIECES[p]);
    }
  }
}

function renderBoard() {
  const svg = $("board");
  svg.replaceChildren();
  const b = view.board;
  if (b.kind === "none") { svg.setAttribute("viewBox", "0 0 1 1"); return; }
  const m = MARGIN;
  svg.setAttribute("viewBox", `${-m} ${-m} ${b.cols * CELL + m} ${b.rows * CELL + m}`);
  if (b.kind === "chess") renderChess(svg, b);
  else renderGrid(svg, b, STYLES[view.name] || DEFAULT_STYLE);
  const labels = b.labels || { cols: [], rows: [] };
  labels.cols.forEach((t, c) => el("text", { x: (c + .5) * CELL, y: -m / 3, "text-anchor": "middle", class: "label" }, svg, t));
  labels.rows.forEach((t, r) => el("text", { x: -m / 2, y: (r + .5) * CELL + 5, "text-anchor": "middle", class: "label" }, svg, t));
}

function renderAnalysis() {
  const box = $("analysis");
  const a = view.analysis;
  if (!a) { box.innerHTML = '<p class="muted">The agent\'s reasons appear after its move.</p>'; return; }
  const rows = [["move", a.move]];
  if (a.value !== null) rows.push(["value", a.value.toFixed(3)]);
  if (a.score !== null) rows.push(["score", a.score]);
  if (a.nodes) rows.push(["nodes", a.nodes]);
  if (a.depth) rows.push(["depth", a.depth]);
  if (a.pv.length) rows.push(["PV", a.pv.join(" ")]);
  box.replaceChildren();
  const dl = document.createElement("table");
  for (const [k, v] of rows) {
    const tr = dl.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v;
  }
  box.appendChild(dl);
  if (a.policy.length) {
    const t = document.createElement("table");
    t.innerHTML = "<tr><th>move</th><th>policy</th><th></th></tr>";
    for (const p of a.policy) {
      const tr = t.insertRow();
      tr.insertCell().textContent = p.text;
      tr.insertCell().textContent = (100 * p.p).toFixed(1) + "%";
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = Math.max(1, Math.round(120 * p.p)) + "px";
      tr.insertCell().appendChild(bar);
    }
    box.appendChild(t);
  }
}

function render() {
  renderBoard();
  const sides = view.sides;
  let status;
  if (view.terminal) {
    const mine = view.result === `${sides[view.human]} wins`;
    status = `Game over: ${view.result}` + (view.result === "draw" ? "." : mine ? " \u2014 you win." : " \u2014 the agent wins.");
  } else if (view.to_move === view.human) {
    status = `Your move (${sides[view.human]}).`;
  } else {
    status = `The agent (${sides[1 - view.human]}) is to move.`;
  }
  $("status").textContent = status;
  $("moves").replaceChildren(...view.moves.map((m) => { const li = document.createElement("li"); li.textContent = m; return li; }));
  renderAnalysis();
  $("undo").disabled = !view.moves.length;
  $("downloads").replaceChildren(...view.formats.map((f) => {
    const a = document.createElement("a");
    a.href = `/api/games/${view.id}/record.${f}`;
    a.id = `download-${f}`;
    a.download = "";
    a.textContent = `Download ${f.toUpperCase()}`;
    return a;
  }));
  const legal = $("legal");
  legal.replaceChildren(...(myTurn() ? view.legal : []).map((m) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = m.text;
    b.dataset.action = m.action;
    b.addEventListener("click", () => play(m.action));
    return b;
  }));
  document.body.dataset.state = busy ? "busy" : view.terminal ? "over" : "ready";
}

async function init() {
  const cat = await api("GET", "/api/games");
  $("game").replaceChildren(...cat.games.map((g) => new Option(g, g, g === "connect4", g === "connect4")));
  $("agents").replaceChildren(...cat.agents.map((a) => new Option(a)));
  const defaultFor = (game) => cat.default_agents[game] || cat.default_agent;
  $("agent").value = defaultFor($("game").value);
  $("game").addEventListener("change", () => {
    // Follow the game's default unless the user typed a spec of their own.
    if (Object.values(cat.default_agents).concat(cat.default_agent).includes($("agent").value)) {
      $("agent").value = defaultFor($("game").value);
    }
  });
  $("setup").addEventListener("submit", newGame);
  $("undo").addEventListener("click", undo);
  document.body.dataset.state = "idle";
}

init().catch((e) => { $("error").textContent = e.message; });
